"""What the catalog's cached reads depend on, and the writes that invalidate them.

Every list (the API's product list, the storefront catalog) depends on `catalog`; one product's reads (its API
item, its page) on `product:<id>`. Any change of a product, its stock, media or waves (the preorders app calls
`catalog_changed` for its waves) bumps both, on commit too (see `config.cache_versions`).

Model saves and deletes are caught by signals; writes by `QuerySet.update()` send none, so every such writer
calls `catalog_changed` itself.
"""

from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save

from config.cache_versions import versions_bump

LIST_VERSION = "catalog"


def product_version(product_id: int) -> str:
    return f"product:{product_id}"


def catalog_changed(*, product_ids: Iterable[int]) -> None:
    """Invalidate the lists and these products' own reads (call it inside the writer's transaction)."""
    versions_bump(names=[LIST_VERSION, *(product_version(pk) for pk in product_ids)])


def _product_written(sender, instance, **kwargs):
    catalog_changed(product_ids=[instance.pk])


def _product_part_written(sender, instance, **kwargs):
    catalog_changed(product_ids=[instance.product_id])


def catalog_cache_follow(model) -> None:
    """Invalidate on saves and deletes of `model`: the product itself or a model with a `product` (stock,
    media, waves)."""
    receiver = _product_written if model._meta.label == "catalog.Product" else _product_part_written
    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(receiver, sender=model, dispatch_uid=f"catalog_cache.{name}.{model._meta.label}")
