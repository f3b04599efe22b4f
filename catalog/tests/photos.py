"""Test pictures: camera-like JPEGs with GPS EXIF and an orientation, and files that must be refused."""

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def camera_jpeg(*, width: int = 1200, height: int = 900, orientation: int = 1, gps: bool = True) -> bytes:
    """A JPEG as a phone makes it: EXIF with the camera, the studio's GPS position and an orientation."""
    image = Image.new("RGB", (width, height), (180, 120, 90))
    # The left half darker: shows which way the stored picture was turned.
    image.paste((20, 20, 20), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes(), comment=b"studio")
    return buffer.getvalue()


def png_bytes(width: int = 300, height: int = 200) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 30, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def webp_bytes(width: int = 300, height: int = 200) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 200)).save(buffer, "WEBP")
    return buffer.getvalue()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<script>alert(1)</script><rect width="100" height="100"/></svg>'
)
TEXT = "Это не фотография, а текст.\n".encode() * 20


def oversized_file(size: int = 10 * 1024 * 1024) -> bytes:
    """A real JPEG padded to `size` bytes (readers ignore what follows the end of the picture)."""
    head = camera_jpeg(width=64, height=64, gps=False)
    return head + b"\0" * (size - len(head))


def decompression_bomb(side: int = 20_000) -> bytes:
    """A valid black-and-white PNG of side x side pixels (400 Mpx) that weighs some 50 KB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = (b"\0" * (1 + (side + 7) // 8)) * 1000
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(rows) for _ in range(side // 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
