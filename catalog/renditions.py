"""Renditions of product photos: the worker's part of an upload (see `catalog.tasks.media_renditions_build`)."""

import io
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image

from catalog.images import rendition_encode, rendition_widths
from catalog.models import ProductMedia

RENDITION_FORMATS = ("webp", "jpeg")


def media_renditions_make(*, media_id: int, image_name: str) -> list[dict]:
    """Make the renditions of one stored image: `MEDIA_RENDITION_WIDTHS` (none wider than the original) in WebP
    and JPEG, stored next to the original, then recorded on the media row unless its image changed meanwhile.

    Renditions of an image the media no longer shows are deleted; a media or image gone since is left alone.
    """
    media = ProductMedia.objects.filter(pk=media_id, image=image_name).first()
    if media is None:
        return []
    storage = media.image.storage
    with storage.open(image_name, "rb") as source:
        image = Image.open(io.BytesIO(source.read()))
        image.load()
    stem = Path(image_name).stem
    renditions = []
    for width in rendition_widths(image.width, settings.MEDIA_RENDITION_WIDTHS):
        for image_format in RENDITION_FORMATS:
            content, height = rendition_encode(image, width=width, image_format=image_format)
            extension = "jpg" if image_format == "jpeg" else image_format
            name = storage.save(
                f"products/renditions/{media_id}/{stem}-{width}w.{extension}", ContentFile(content)
            )
            renditions.append({"width": width, "height": height, "format": image_format, "name": name})
    previous = media.renditions or []
    updated = ProductMedia.objects.filter(pk=media_id, image=image_name).update(
        renditions=renditions, width=image.width, height=image.height
    )
    stale = previous if updated else renditions
    kept = {r["name"] for r in renditions} if updated else set()
    for rendition in stale:
        if rendition["name"] not in kept:
            storage.delete(rendition["name"])
    return renditions if updated else []
