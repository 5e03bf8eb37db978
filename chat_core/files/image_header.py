"""How many pixels an image file says it holds, read from its bytes before any decoding.

A few hundred kilobytes can declare a 12000 x 12000 image that takes gigabytes
once decoded. Pillow's ``Image.open`` does not decode, but it already allocates a
WebP's whole canvas, warns about a large image and raises only past twice its own
limit; so the size is read here first, from the header alone, and an image too
large to decode safely is never handed to Pillow. Where a format lets the size
grow past the header (a GIF frame outside its screen, a second JPEG frame header),
the largest is taken, so Pillow never finds more than what was checked.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Dimensions", "dimensions", "format_of"]

# How each image format starts, by Pillow's name for it.
_SIGNATURES = {
    "PNG": re.compile(rb"\x89PNG"),
    "JPEG": re.compile(rb"\xff\xd8\xff"),
    "GIF": re.compile(rb"GIF8[79]a"),
    "WEBP": re.compile(rb"RIFF....WEBP", re.DOTALL),
}
# JPEG start-of-frame markers (0xC4, 0xC8 and 0xCC are other segments).
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_GIF_BLOCK = re.compile(rb"[,!;]")  # an image, an extension, the end; Pillow skips other bytes
# Blocks (chunks, segments, sub-blocks, stray bytes) a header may hold. Pillow walks them
# one by one in Python: millions of empty ones cost seconds of the server's time, while
# real files hold at most thousands (an 8 kB chunk or a 255-byte sub-block at a time).
_MAX_BLOCKS = {"PNG": 20_000, "JPEG": 1_000, "GIF": 200_000}


class _TooIntricateError(Exception):
    """More blocks than any real image of its size holds."""


@dataclass(frozen=True)
class Dimensions:
    width: int
    height: int
    frames: int | None = None  # None: only Pillow can tell (APNG, WebP, MPO), cheaply

    @property
    def pixels(self) -> int:
        return self.width * self.height


def format_of(data: bytes) -> str | None:
    """Pillow's name for the image format ``data`` starts as, if it is one handled here."""
    return next((name for name, start in _SIGNATURES.items() if start.match(data)), None)


def dimensions(image_format: str, data: bytes) -> Dimensions | None:
    """The size ``data`` declares as an ``image_format`` image.

    None if its header is unreadable, or built of more blocks than a real image holds.
    """
    try:
        return _READERS[image_format](data)
    except (struct.error, IndexError, _TooIntricateError):
        return None


def _png(data: bytes) -> Dimensions | None:
    if data[12:16] != b"IHDR":
        return None
    position, chunks = 8, 0
    while position + 8 <= len(data) and data[position + 4 : position + 8] != b"IEND":
        chunks = _counted(chunks + 1, "PNG")
        position += 12 + struct.unpack_from(">I", data, position)[0]
    return Dimensions(*struct.unpack_from(">II", data, 16))


def _jpeg(data: bytes) -> Dimensions | None:
    """The largest start-of-frame before the scan (Pillow keeps the last one it reads)."""
    largest: Dimensions | None = None
    position, blocks = 2, 0
    while (found := data.find(b"\xff", position)) != -1 and found + 1 < len(data):
        blocks = _counted(blocks + 1 + found - position, "JPEG")  # stray bytes count too
        position, marker = found, data[found + 1]
        if marker == 0xFF or 0xD0 <= marker <= 0xD8 or marker in (0x00, 0x01):
            position += 1  # fill byte, or a marker without a length
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: the header is over
            break
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack_from(">HH", data, position + 5)
            if largest is None or width * height > largest.pixels:
                largest = Dimensions(width, height)
        position += 2 + struct.unpack_from(">H", data, position + 2)[0]
    return largest


def _gif(data: bytes) -> Dimensions:
    """The screen, grown to hold every frame (as Pillow grows it), and the frame count."""
    width, height, flags = struct.unpack_from("<HHB", data, 6)
    position, blocks = 13 + _colour_table(flags), 0
    frames = 0
    while (found := _GIF_BLOCK.search(data, position)) and found[0] != b";":
        blocks = _counted(blocks + 1 + found.start() - position, "GIF")  # stray bytes count too
        position = found.end()
        if found[0] == b",":
            left, top, frame_width, frame_height, flags = struct.unpack_from(
                "<HHHHB", data, position
            )
            width, height = max(width, left + frame_width), max(height, top + frame_height)
            frames += 1
            position += 9 + _colour_table(flags) + 1  # descriptor, colours, LZW code size
        else:
            position += 1  # the extension's label
        while position < len(data) and (size := data[position]):  # sub-blocks, to an empty one
            blocks = _counted(blocks + 1, "GIF")
            position += size + 1
        position += 1
    return Dimensions(width, height, frames)


def _colour_table(flags: int) -> int:
    return 3 << ((flags & 7) + 1) if flags & 0x80 else 0


def _counted(blocks: int, image_format: str) -> int:
    if blocks > _MAX_BLOCKS[image_format]:
        raise _TooIntricateError
    return blocks


def _webp(data: bytes) -> Dimensions | None:
    """The canvas size, read as Pillow's WebP plugin reads it."""
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", data, 26)
        return Dimensions(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8X" and len(data) >= 30:
        size = data[24:30]
        return Dimensions(
            int.from_bytes(size[:3], "little") + 1, int.from_bytes(size[3:], "little") + 1
        )
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        (bits,) = struct.unpack_from("<I", data, 21)
        return Dimensions((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    return None


_READERS: dict[str, Callable[[bytes], Dimensions | None]] = {
    "PNG": _png,
    "JPEG": _jpeg,
    "GIF": _gif,
    "WEBP": _webp,
}
