"""Real files for attachment tests: images made with Pillow or by hand, PDFs written by hand.

The hand-made images declare huge sizes in few bytes, as an attacker's would: they
are refused from their headers, so their pixel data is never needed.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

__all__ = [
    "gif_bytes",
    "image_bytes",
    "jpeg_header",
    "pdf_bytes",
    "pdf_sharing_one_stream",
    "png_bytes",
    "webp_header",
]


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (32, 24)) -> bytes:
    """A small two-coloured image in ``image_format``."""
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((40, 40, 200), (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bytes(width: int, height: int, *, rgb: bool = False, empty_chunks: int = 0) -> bytes:
    """A valid all-black PNG (1-bit grey, or 8-bit RGB); zlib makes even 12000 by 12000 small.

    ``empty_chunks`` empty text chunks come before the pixels.
    """
    row = bytes(1 + (width * 3 if rgb else (width + 7) // 8))  # filter byte, then pixels
    compressor = zlib.compressobj(9)
    rows = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8 if rgb else 1, 2 if rgb else 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"tEXt", b"") * empty_chunks
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )


def gif_bytes(screen: tuple[int, int], frames: int, frame_size: tuple[int, int] = (1, 1)) -> bytes:
    """A GIF of ``frames`` frames of ``frame_size`` pixels (each holding one pixel's data)."""
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", *screen, 0x80, 0, 0) + bytes(6))
    for _ in range(frames):
        out += b"!\xf9\x04\x00\x0a\x00\x00\x00"  # graphic control: a 0.1 s delay
        out += b"," + struct.pack("<HHHHB", 0, 0, *frame_size, 0)
        out += b"\x02\x02\x44\x01\x00"  # LZW: clear, pixel 0, end
    return bytes(out + b";")


def webp_header(width: int, height: int) -> bytes:
    """The start of a lossless WebP declaring ``width`` by ``height`` (no pixel data)."""
    bits = (width - 1) | (height - 1) << 14
    chunk = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", bits)
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def jpeg_header(width: int, height: int) -> bytes:
    """A JPEG's start-of-frame declaring ``width`` by ``height`` (no pixel data)."""
    components = b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    frame = struct.pack(">BHHB", 8, height, width, 3) + components
    return b"\xff\xd8\xff\xc0" + struct.pack(">H", 2 + len(frame)) + frame + b"\xff\xd9"


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1; the first is the catalogue) with its xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (index, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _page(contents: int) -> bytes:
    return (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % contents
    )


def _stream(content: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)


def _pages_and_font(page_numbers: list[int]) -> list[bytes]:
    kids = " ".join(f"{n} 0 R" for n in page_numbers)
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(page_numbers)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def pdf_bytes(*pages: str) -> bytes:
    """A valid PDF with one line of Helvetica text per page (an empty string: a blank page)."""
    page_numbers = [4 + 2 * i for i in range(len(pages))]
    objects = _pages_and_font(page_numbers)
    for number, text in zip(page_numbers, pages, strict=True):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode() if text else b""
        objects.append(_page(number + 1))
        objects.append(_stream(stream))
    return _pdf(objects)


def pdf_sharing_one_stream(pages: int, content: bytes, *, compressed: bool = False) -> bytes:
    """A PDF of ``pages`` pages all drawn by the one content stream ``content``.

    The file stays small however many pages there are, while reading it costs
    the stream's work once per page; ``compressed`` deflates the stream, so a
    few kilobytes can hold tens of megabytes.
    """
    page_numbers = [5 + i for i in range(pages)]
    stream = _stream(content)
    if compressed:
        deflated = zlib.compress(content)
        stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (
            len(deflated),
            deflated,
        )
    objects = [*_pages_and_font(page_numbers), stream]
    objects += [_page(4) for _ in page_numbers]
    return _pdf(objects)
