"""`{% picture media sizes="…" %}`: a product photo as a responsive <picture> (WebP with a JPEG fallback)."""

from django import template

register = template.Library()

# The frame every product photo is shown in (4:5) when the media's own size is not known yet.
FRAME = (800, 1000)


def _srcset(renditions: list[dict]) -> str:
    return ", ".join(f"{r['url']} {r['width']}w" for r in renditions)


def _fallback(media, width: int) -> str:
    """The JPEG rendition closest to `width` (the narrowest at least that wide first), else the upload."""
    jpeg = media.rendition_urls("jpeg")
    if not jpeg:
        return media.image.url
    return min(jpeg, key=lambda r: (r["width"] < width, abs(r["width"] - width)))["url"]


@register.simple_tag
def picture_src(media, width: int = 800) -> str:
    return _fallback(media, width)


@register.simple_tag
def picture_srcset(media, image_format: str) -> str:
    return _srcset(media.rendition_urls(image_format))


@register.inclusion_tag("shop/includes/picture.html")
def picture(media, *, sizes: str, alt: str = "", lazy: bool = True, img_id: str = "", fallback_width: int = 800):
    """Renditions through `srcset`/`sizes` so a phone loads a small file; until the worker has made them the
    upload itself is shown. `lazy` is for pictures below the first screen; the first ones load at once."""
    webp, jpeg = media.rendition_urls("webp"), media.rendition_urls("jpeg")
    width, height = (media.width, media.height) if media.width and media.height else FRAME
    return {
        "src": _fallback(media, fallback_width),
        "webp_srcset": _srcset(webp),
        "jpeg_srcset": _srcset(jpeg),
        "sizes": sizes,
        "alt": alt,
        "lazy": lazy,
        "img_id": img_id,
        "width": width,
        "height": height,
    }
