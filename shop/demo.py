"""Demo pictures for the seed: simple garment drawings made with Pillow, so the demo needs no downloads."""

import hashlib
import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = (800, 1000)
CACHE_DIR = Path(__file__).resolve().parent.parent / "var" / "demo-photos"
PHOTO_VERSION = 1


def _font(size: int):
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _garment(draw: ImageDraw.ImageDraw, kind: str, color: tuple[int, int, int]):
    w, h = SIZE
    cx = w // 2
    dark = tuple(max(c - 40, 0) for c in color)
    if kind in ("hoodie", "tee", "longsleeve", "jacket"):
        sleeve = 330 if kind in ("hoodie", "longsleeve", "jacket") else 150
        body = [(cx - 190, 260), (cx + 190, 260), (cx + 190, 800), (cx - 190, 800)]
        draw.polygon(
            [
                (cx - 190, 260),
                (cx - 190 - 120, 300),
                (cx - 190 - 150, 300 + sleeve),
                (cx - 190 - 60, 300 + sleeve + 20),
                (cx - 190, 420),
            ],
            fill=dark,
        )
        draw.polygon(
            [
                (cx + 190, 260),
                (cx + 190 + 120, 300),
                (cx + 190 + 150, 300 + sleeve),
                (cx + 190 + 60, 300 + sleeve + 20),
                (cx + 190, 420),
            ],
            fill=dark,
        )
        draw.polygon(body, fill=color)
        if kind == "hoodie":
            draw.ellipse([cx - 120, 150, cx + 120, 330], fill=dark)
            draw.rectangle([cx - 110, 600, cx + 110, 720], outline=dark, width=8)
        elif kind == "jacket":
            draw.line([(cx, 270), (cx, 800)], fill=dark, width=10)
        else:
            draw.ellipse([cx - 70, 230, cx + 70, 300], fill=(245, 243, 240))
    elif kind == "pants":
        draw.polygon(
            [
                (cx - 170, 200),
                (cx + 170, 200),
                (cx + 200, 880),
                (cx + 30, 880),
                (cx, 420),
                (cx - 30, 880),
                (cx - 200, 880),
            ],
            fill=color,
        )
        draw.rectangle([cx - 170, 200, cx + 170, 240], fill=dark)
    elif kind == "cap":
        draw.pieslice([cx - 220, 300, cx + 220, 700], 180, 360, fill=color)
        draw.ellipse([cx - 40, 480, cx + 300, 560], fill=dark)
    else:  # bag
        draw.rectangle([cx - 220, 380, cx + 220, 820], fill=color)
        draw.arc([cx - 140, 200, cx + 140, 520], 180, 360, fill=dark, width=22)


def demo_picture(*, title: str, kind: str, color: tuple[int, int, int], variant: int = 0) -> bytes:
    """A JPEG of a garment on a soft background with the shop's mark."""
    background = (244, 241, 236) if variant % 2 == 0 else (232, 236, 240)
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    _garment(draw, kind, color)
    draw.text((40, 36), "DWC", font=_font(44), fill=(30, 30, 30))
    draw.text((40, SIZE[1] - 80), title, font=_font(30), fill=(60, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def demo_photo(
    *, title: str, kind: str, color: tuple[int, int, int], variant: int = 0, width: int = 3200
) -> bytes:
    """A camera-sized JPEG (a few MB at 3200 px): the drawing enlarged, with fine grain like a sensor's.

    Deterministic for its arguments; the bytes are kept under `var/demo-photos/` so a fresh seed does not
    draw them again.
    """
    key = hashlib.sha256(repr((PHOTO_VERSION, title, kind, color, variant, width)).encode()).hexdigest()[:24]
    cached = CACHE_DIR / f"{key}.jpg"
    if cached.exists():
        return cached.read_bytes()
    drawing = Image.open(io.BytesIO(demo_picture(title=title, kind=kind, color=color, variant=variant)))
    size = (width, round(width * SIZE[1] / SIZE[0]))
    photo = drawing.convert("RGB").resize(size, Image.Resampling.BICUBIC)
    grain = Image.frombytes("L", size, random.Random(key).randbytes(size[0] * size[1])).convert("RGB")
    photo = Image.blend(photo, grain, 0.12)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    return data
