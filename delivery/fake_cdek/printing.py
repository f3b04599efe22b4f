"""The fake CDEK's print forms: a real PDF with one page per label or waybill, drawn with Pillow.

The text is what a courier reads on a real label (the CDEK number in large print, a bar code of it, the shop's
order number, the tariff), in ASCII so Pillow's built-in font draws it. Pages are 100×150 mm for labels and A4
for waybills, at a low resolution: the PDF is for counting and looking at, not for a scanner.
"""

import functools
import io

from PIL import Image, ImageDraw, ImageFont

DPI = 72
MM = DPI / 25.4
LABEL_SIZE = (round(100 * MM), round(150 * MM))
WAYBILL_SIZE = (round(210 * MM), round(297 * MM))


def _bars(draw: ImageDraw.ImageDraw, text: str, *, left: int, top: int, height: int) -> None:
    """Stripes that read like a bar code: each digit's bits as thin and thick bars."""
    x = left
    for char in text:
        for bit in format(ord(char), "07b"):
            width = 2 if bit == "1" else 1
            draw.rectangle((x, top, x + width - 1, top + height), fill="black")
            x += width + 1


@functools.cache
def _font(size: int):
    return ImageFont.load_default(size=size)


def _page(size: tuple[int, int], lines: list[str], *, barcode: str) -> Image.Image:
    page = Image.new("L", size, "white")
    draw = ImageDraw.Draw(page)
    big, small = _font(18), _font(10)
    draw.rectangle((4, 4, size[0] - 5, size[1] - 5), outline="black", width=2)
    draw.text((12, 12), "CDEK", font=big, fill="black")
    _bars(draw, barcode, left=12, top=40, height=60)
    y = 110
    for number, line in enumerate(lines):
        draw.text((12, y), line, font=big if number == 0 else small, fill="black")
        y += 24 if number == 0 else 14
    return page


def print_pdf(kind: str, orders: list[dict], *, copies: int = 1) -> bytes:
    """A PDF of `kind` (`barcodes`: 100×150 labels, `orders`: A4 waybills) for `orders` (CDEK order entities),
    one page per order and copy."""
    pages = []
    for order in orders:
        cdek_number = str(order.get("cdek_number") or "")
        recipient = order.get("recipient") or {}
        phones = recipient.get("phones") or [{}]
        lines = [
            cdek_number,
            f"Order {order.get('number', '')}",
            f"Tariff {order.get('tariff_code', '')}",
            f"To {order.get('delivery_point') or 'door'}",
            f"Phone {phones[0].get('number', '')}",
            f"Packages {len(order.get('packages') or [])}",
        ]
        size = LABEL_SIZE if kind == "barcodes" else WAYBILL_SIZE
        if kind == "orders":
            lines.insert(1, "Waybill")
        pages.extend(_page(size, lines, barcode=cdek_number) for _ in range(max(copies, 1)))
    if not pages:
        pages = [Image.new("L", LABEL_SIZE, "white")]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    return buffer.getvalue()
