"""What the catalog's cached reads depend on, and the writes that invalidate them.

Every list (the API's product list, the storefront catalog) depends on `catalog`; one product's reads (its API
item, its page) on `product:<id>`. Any change of a product, its stock, media or waves bumps both, on commit (see
`config.cache_versions`).

Nobody has to remember to: model saves and deletes are caught by signals (`catalog_cache_follow`; a queryset's
`delete()` sends them too while anyone listens), and the rows' querysets (`CatalogQuerySet`) bump the versions
on `update()`, `bulk_create()` and `bulk_update()`, which send none. `catalog_changed` is left for what changes
a product's reads without writing its rows (a draw that finishes).
"""

from collections.abc import Iterable

from django.db import models
from django.db.models.signals import post_delete, post_save

from config.cache_versions import versions_bump

LIST_VERSION = "catalog"


def product_version(product_id: int) -> str:
    return f"product:{product_id}"


def catalog_changed(*, product_ids: Iterable[int]) -> None:
    """Invalidate the lists and these products' own reads (call it inside the writer's transaction)."""
    versions_bump(names=[LIST_VERSION, *(product_version(pk) for pk in product_ids)])


class CatalogQuerySet(models.QuerySet):
    """Rows a product's cached reads show (the product, its stock, media, waves): bulk writes invalidate them.

    `update()` first reads which products its rows belong to (one query), unless the caller already knows and
    says so with `of_products()`, as the order paths do.
    """

    # The column naming a row's product: `product_id`, or `pk` for the product itself.
    product_field = "product_id"
    _known_product_ids: frozenset[int] | None = None

    def of_products(self, product_ids: Iterable[int]) -> "CatalogQuerySet":
        """Say which products the rows to be written belong to (all of them: it filters nothing)."""
        clone = self._chain()
        clone._known_product_ids = frozenset(product_ids)
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._known_product_ids = self._known_product_ids
        return clone

    def update(self, **kwargs) -> int:
        product_ids = self._known_product_ids
        if product_ids is None:
            product_ids = self._product_ids_read()
        rows = super().update(**kwargs)
        if rows:
            catalog_changed(product_ids=product_ids)
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        made = super().bulk_create(objs, *args, **kwargs)
        if made:
            # A product made here may lack its primary key (a database that cannot return it): the lists move.
            catalog_changed(product_ids=self._row_product_ids(made))
        return made

    def bulk_update(self, objs, fields, *args, **kwargs) -> int:
        objs = list(objs)
        if any(getattr(obj, self.product_field) is None for obj in objs):
            # Rows given by primary key alone: which products they belong to is read, as `update()` does.
            product_ids = self.filter(pk__in=[obj.pk for obj in objs])._product_ids_read()
        else:
            product_ids = self._row_product_ids(objs)
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        if rows:
            catalog_changed(product_ids=product_ids)
        return rows

    def _product_ids_read(self) -> set[int]:
        rows = self.order_by().values_list(self.product_field, flat=True)
        # No lock for the look-up (the update takes its own): outside a transaction it could not take one.
        rows.query.select_for_update = False
        return set(rows)

    def _row_product_ids(self, objs) -> set[int]:
        ids = {getattr(obj, self.product_field) for obj in objs}
        ids.discard(None)
        return ids


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
