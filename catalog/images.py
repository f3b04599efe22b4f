"""Picture work with Pillow: checking and cleaning an upload, and encoding its sized renditions.

Pure functions over bytes; where the files live (disk or S3) and when the work runs is the services' concern.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from config.errors import DomainError

# Formats a product photo may arrive in, as Pillow names them after decoding (never from the file name).
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
JPEG_QUALITY = 88
RENDITION_QUALITY = {"webp": 78, "jpeg": 80}


class ImageRejected(DomainError):
    code = "image_invalid"
    default_message = "Загрузите фотографию в формате JPEG, PNG или WebP."


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    extension: str
    width: int
    height: int


def image_open_checked(data: bytes, *, max_bytes: int, max_pixels: int) -> Image.Image:
    """Open an upload as a picture, refusing anything that is not a JPEG, PNG or WebP within the limits.

    The pixel count is read from the header before any pixel is decoded, so a decompression bomb (a few
    kilobytes that would unpack to gigabytes) is refused without being unpacked.
    """
    if len(data) > max_bytes:
        raise ImageRejected(
            f"Файл слишком большой: {_megabytes(len(data))} МБ, можно не больше {_megabytes(max_bytes)} МБ.",
            code="image_too_large",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(max_pixels) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageRejected() from error
    if image.format not in ACCEPTED_FORMATS:
        raise ImageRejected()
    if image.width * image.height > max_pixels:
        raise _too_many_pixels(max_pixels)
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise ImageRejected("Файл повреждён: изображение не читается.", code="image_broken") from error
    return image


def image_clean(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanImage:
    """The upload as it is stored: turned upright by its EXIF orientation, colours in sRGB, every metadata
    block (EXIF with GPS, XMP, IPTC, comments, colour profile) left out, in its own format."""
    image = image_open_checked(data, max_bytes=max_bytes, max_pixels=max_pixels)
    source_format = image.format
    profile = image.info.get("icc_profile")
    image = _to_srgb(ImageOps.exif_transpose(_eight_bit(image)), profile)
    # Some encoders copy what `info` holds (PNG its colour profile and text): the stored file gets none of it.
    image.info = {}
    buffer = io.BytesIO()
    if source_format == "JPEG":
        # The original is kept for new renditions, rarely sent to a browser: a quick baseline encoding will do.
        image.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY)
    elif source_format == "PNG":
        image = image if image.mode in ("RGB", "RGBA", "L", "LA", "P") else image.convert("RGBA")
        image.save(buffer, "PNG", optimize=True)
    else:
        image = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
        image.save(buffer, "WEBP", quality=90)
    return CleanImage(
        content=buffer.getvalue(),
        extension=ACCEPTED_FORMATS[source_format],
        width=image.width,
        height=image.height,
    )


def rendition_widths(original_width: int, widths: list[int]) -> list[int]:
    """The widths worth making: none wider than the original, and at least one (the original's, if small)."""
    fitting = sorted(w for w in set(widths) if w <= original_width)
    return fitting or [original_width]


def rendition_encode(image: Image.Image, *, width: int, image_format: str) -> tuple[bytes, int]:
    """One rendition `width` pixels wide in `webp` or `jpeg` (transparency flattened on white): bytes, height."""
    height = max(1, round(image.height * width / image.width))
    image = _eight_bit(image)
    resized = image if image.width == width else image.resize((width, height), Image.Resampling.LANCZOS)
    if resized.mode in ("RGBA", "LA", "P"):
        rgba = resized.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        resized = flat
    elif resized.mode != "RGB":
        resized = resized.convert("RGB")
    buffer = io.BytesIO()
    if image_format == "webp":
        resized.save(buffer, "WEBP", quality=RENDITION_QUALITY["webp"], method=4)
    else:
        resized.save(buffer, "JPEG", quality=RENDITION_QUALITY["jpeg"], optimize=True, progressive=True)
    return buffer.getvalue(), height


#: Pillow's modes of one channel of more than 8 bits (a 16-bit greyscale PNG opens as `I;16`).
WIDE_GREY_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def _eight_bit(image: Image.Image) -> Image.Image:
    """Greyscale of 16 bits scaled to 8 (0…65535 → 0…255): a plain conversion clips every value above 255, and
    a 16-bit photo comes out white."""
    if image.mode not in WIDE_GREY_MODES:
        return image
    return image.convert("I").point(lambda value: value * (1 / 257)).convert("L")


def _to_srgb(image: Image.Image, profile: bytes | None) -> Image.Image:
    """Pixels converted from an embedded colour profile to sRGB, so dropping the profile keeps the colours."""
    if not profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _too_many_pixels(max_pixels: int) -> ImageRejected:
    return ImageRejected(
        f"Изображение слишком большое по размеру в пикселях: можно не больше {max_pixels / 1_000_000:g} Мп.",
        code="image_too_many_pixels",
    )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",")
