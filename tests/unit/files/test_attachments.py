"""Reading attached files: what is sent, and a clear reason for each file that is not."""

import base64
import io
import resource
import time
import warnings
from dataclasses import dataclass

import pypdf
import pytest
from PIL import Image, ImageFile
from pypdf import PdfWriter

from chat_core.errors import ErrorKind
from chat_core.files.attachments import (
    MAX_FILES,
    MAX_IMAGE_SIDE,
    PDF_LIMITS,
    SIZE_LIMITS,
    AttachmentKind,
    message_content,
    read_upload,
    read_uploads,
    refusal,
)
from chat_core.files.image_header import dimensions, format_of
from chat_core.files.pdf_reader import PdfLimits, PdfResult, read_pdf
from tests.support.files import (
    gif_bytes,
    image_bytes,
    jpeg_header,
    pdf_bytes,
    pdf_sharing_one_stream,
    png_bytes,
    webp_header,
)

BUDGET = 100_000


@dataclass
class FakeUpload:
    name: str
    content: bytes

    def getvalue(self) -> bytes:
        return self.content


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "image_format", "mime_type"),
    [
        ("photo.png", "PNG", "image/png"),
        ("photo.JPG", "JPEG", "image/jpeg"),
        ("anim.gif", "GIF", "image/gif"),
        ("pic.webp", "WEBP", "image/webp"),
    ],
)
def test_images_are_read_with_their_real_type(name, image_format, mime_type):
    data = image_bytes(image_format)
    attachment = read_upload(name, data, text_budget=BUDGET)
    assert attachment.sent and attachment.kind is AttachmentKind.IMAGE
    assert (attachment.mime_type, attachment.data, attachment.size) == (mime_type, data, len(data))


def test_an_image_under_another_image_extension_is_sent_with_its_real_type():
    attachment = read_upload("screenshot.jpg", image_bytes("PNG"), text_budget=BUDGET)
    assert attachment.sent and attachment.mime_type == "image/png"


def test_a_large_image_is_scaled_down_to_the_size_the_model_uses():
    attachment = read_upload("big.png", image_bytes(size=(4000, 3000)), text_budget=BUDGET)
    with Image.open(io.BytesIO(attachment.data)) as image:
        assert image.size == (MAX_IMAGE_SIDE, MAX_IMAGE_SIDE * 3 // 4)
        assert image.format == "PNG"


@pytest.mark.parametrize(
    ("name", "data", "text"),
    [
        (
            "notes.md",
            "# Title\n\nSome *notes* 日本語\r\n".encode(),
            "# Title\n\nSome *notes* 日本語",
        ),
        ("data.csv", "名前,値\n山田,1\n".encode("cp932"), "名前,値\n山田,1"),
        ("utf16.txt", "hello ✓".encode("utf-16"), "hello ✓"),
        ("main.py", b"print('hi')\n", "print('hi')"),
        ("Dockerfile", b"FROM python:3.11\n", "FROM python:3.11"),
        ("bom.json", b'\xef\xbb\xbf{"a": 1}', '{"a": 1}'),
    ],
)
def test_text_files_are_decoded(name, data, text):
    attachment = read_upload(name, data, text_budget=BUDGET)
    assert attachment.sent and attachment.kind is AttachmentKind.TEXT
    assert attachment.text == text


def test_a_pdf_is_read_as_the_text_of_its_pages():
    attachment = read_upload(
        "report.pdf", pdf_bytes("First page", "Second (page)"), text_budget=BUDGET
    )
    assert attachment.sent and attachment.kind is AttachmentKind.PDF
    assert attachment.text == "First page\n\nSecond (page)"


def _problem(name: str, data: bytes, budget: int = BUDGET):
    attachment = read_upload(name, data, text_budget=budget)
    assert not attachment.sent and not attachment.text and not attachment.data
    assert attachment.problem.details["name"] == name
    return attachment.problem


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("setup.exe", b"MZ\x90\x00", ErrorKind.FILE_UNSUPPORTED),
        ("letter.docx", b"PK\x03\x04", ErrorKind.FILE_UNSUPPORTED),
        ("no-extension", b"hello", ErrorKind.FILE_UNSUPPORTED),
        (
            "huge.png",
            b"\x89PNG" + bytes(SIZE_LIMITS[AttachmentKind.IMAGE]),
            ErrorKind.FILE_TOO_LARGE,
        ),
        ("huge.txt", b"a" * (SIZE_LIMITS[AttachmentKind.TEXT] + 1), ErrorKind.FILE_TOO_LARGE),
        ("fake.png", b"just some text, not a picture", ErrorKind.FILE_MISMATCH),
        ("fake.pdf", b"hello, I am text", ErrorKind.FILE_MISMATCH),
        ("program.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00", ErrorKind.FILE_MISMATCH),
        ("latin.txt", b"\x80\x81\xfd not text", ErrorKind.FILE_MISMATCH),
        ("cut.png", image_bytes("PNG")[:40], ErrorKind.FILE_UNREADABLE),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj garbage", ErrorKind.FILE_UNREADABLE),
        ("locked.pdf", encrypted_pdf(), ErrorKind.FILE_ENCRYPTED),
        ("scan.pdf", pdf_bytes("", ""), ErrorKind.FILE_NO_TEXT),
    ],
)
def test_a_file_that_cannot_be_sent_says_why(name, data, kind):
    assert _problem(name, data).kind is kind


def test_too_large_names_the_size_and_the_limit():
    problem = _problem("huge.png", bytes(11 * 1024 * 1024))
    assert problem.details == {"name": "huge.png", "size": "11.0 MB", "limit": "10.0 MB"}


def test_the_text_budget_is_shared_by_all_files_of_a_message():
    uploads = [FakeUpload("a.txt", b"a" * 600), FakeUpload("b.txt", b"b" * 600)]
    first, second = read_uploads(uploads, text_budget=1000)
    assert first.sent
    assert second.problem.kind is ErrorKind.FILE_TOO_LONG
    assert second.problem.details == {"name": "b.txt", "length": "600", "limit": "400"}


def test_files_beyond_the_maximum_are_not_read():
    uploads = [FakeUpload(f"{i}.txt", b"x") for i in range(MAX_FILES + 1)]
    attachments = read_uploads(uploads, text_budget=BUDGET)
    assert all(a.sent for a in attachments[:MAX_FILES])
    assert attachments[-1].problem.kind is ErrorKind.TOO_MANY_FILES


def test_a_message_without_files_stays_plain_text():
    assert message_content("hello", ()) == "hello"


def test_documents_are_fenced_after_the_text_and_images_follow_as_parts():
    image = read_upload("cat.png", image_bytes(), text_budget=BUDGET)
    notes = read_upload("notes.md", b"Use ```code``` here", text_budget=BUDGET)
    rejected = read_upload("virus.exe", b"MZ", text_budget=BUDGET)
    parts = message_content("Summarise", [notes, image, rejected])
    assert parts == [
        {"type": "text", "text": "Summarise\n\nnotes.md:\n````md\nUse ```code``` here\n````"},
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64," + base64.b64encode(image.data).decode()},
        },
    ]


def test_an_image_alone_is_sent_without_an_empty_text_part():
    image = read_upload("cat.png", image_bytes(), text_budget=BUDGET)
    (part,) = message_content("", [image])
    assert part["type"] == "image_url"


def test_a_message_with_a_refused_file_is_refused_with_the_count():
    good = read_upload("a.txt", b"fine", text_budget=BUDGET)
    bad = read_upload("b.exe", b"MZ", text_budget=BUDGET)
    assert refusal([good]) is None
    assert refusal([good, bad, bad]).details == {"count": "2"}


# --- What a file costs to read is bounded --------------------------------------------

# A content stream that costs pypdf about 0.1 s a page and yields no text.
COSTLY_CONTENT = b"BT /F1 1 Tf " + b"()Tj " * 10_000 + b"ET"
HUGE = {"width": "12,000", "height": "12,000", "megapixels": "144", "limit": "40"}


@pytest.fixture
def pillow_must_not_read(monkeypatch):
    """Fails the test if Pillow is asked to open, decode, verify or scale the image."""

    def forbidden(*args, **kwargs):
        raise AssertionError("Pillow was asked to read an image refused by its header")

    for owner, method in [
        (Image, "open"),
        (Image.Image, "load"),
        (ImageFile.ImageFile, "load"),
        (Image.Image, "verify"),
        (Image.Image, "thumbnail"),
    ]:
        monkeypatch.setattr(owner, method, forbidden)


def _refused(name: str, data: bytes, **limits):
    """The problem of a refused file; Pillow's warnings (decompression bombs) fail the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        attachment = read_upload(name, data, text_budget=BUDGET, **limits)
    assert not attachment.sent and not attachment.data and not attachment.text
    return attachment.problem


def test_a_small_png_declaring_12000_by_12000_pixels_is_refused_before_decoding(
    pillow_must_not_read,
):
    data = png_bytes(12000, 12000)  # 17 kB on disk, 144 megapixels (576 MB) decoded
    assert len(data) < 50_000
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    problem = _refused("huge.png", data)
    assert problem.kind is ErrorKind.FILE_TOO_MANY_PIXELS
    assert problem.details == {"name": "huge.png", **HUGE}
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert peak_kb < 50_000  # the process's peak memory did not grow by what decoding takes


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("huge.webp", webp_header(12000, 12000)),  # Pillow would allocate the whole canvas
        ("huge.jpg", jpeg_header(12000, 12000)),
        ("huge.gif", gif_bytes((12000, 12000), 1)),
        ("screen.gif", gif_bytes((10, 10), 1, frame_size=(12000, 12000))),  # frame outside
        ("later.jpg", jpeg_header(10, 10)[:-2] + jpeg_header(12000, 12000)[2:]),  # 2nd frame
    ],
    ids=["webp", "jpeg", "gif", "gif-frame-outside-its-screen", "jpeg-second-frame-header"],
)
def test_every_image_format_is_refused_from_its_header(pillow_must_not_read, name, data):
    problem = _refused(name, data)
    assert problem.kind is ErrorKind.FILE_TOO_MANY_PIXELS
    assert problem.details == {"name": name, **HUGE}


@pytest.mark.parametrize("side", [40, 64])  # Pillow warns past 1,000 pixels, raises past 2,000
def test_a_lower_pillow_limit_set_elsewhere_gives_the_same_refusal(monkeypatch, side):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert read_upload("small.png", image_bytes(size=(30, 30)), text_budget=BUDGET).sent
    problem = _refused("big.png", image_bytes(size=(side, side)))
    assert problem.kind is ErrorKind.FILE_TOO_MANY_PIXELS
    assert problem.details["limit"] == "0.001"


def test_an_animation_of_too_many_pixels_in_all_is_refused():
    short = gif_bytes((400, 300), 20)
    assert read_upload("short.gif", short, text_budget=BUDGET).data == short
    problem = _refused("long.gif", gif_bytes((4000, 4000), 13))  # 13 frames of 16 megapixels
    assert problem.kind is ErrorKind.FILE_TOO_MANY_FRAMES
    assert problem.details == {
        "name": "long.gif",
        "width": "4,000",
        "height": "4,000",
        "frames": "13",
        "megapixels": "208",
        "limit": "200",
    }


def _pillow_animation() -> bytes:
    frames = [Image.new("RGB", (60, 40), (colour, 0, 0)) for colour in (0, 120, 240)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], loop=0, comment=b"hi")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "size", "frames"),
    [
        (image_bytes("PNG", (123, 45)), (123, 45), None),
        (image_bytes("JPEG", (123, 45)), (123, 45), None),
        (image_bytes("WEBP", (123, 45)), (123, 45), None),
        (image_bytes("GIF", (123, 45)), (123, 45), 1),
        (_pillow_animation(), (60, 40), 3),
    ],
    ids=["png", "jpeg", "webp", "gif", "animated-gif"],
)
def test_headers_are_read_as_pillow_reads_them(data, size, frames):
    found = dimensions(format_of(data), data)
    assert ((found.width, found.height), found.frames) == (size, frames)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == size and getattr(image, "n_frames", 1) == (frames or 1)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("segments.jpg", b"\xff\xd8" + b"\xff\xe0\x00\x02" * 100_000 + jpeg_header(9, 9)[2:]),
        ("chunks.png", png_bytes(9, 9, empty_chunks=100_000)),
        ("blocks.gif", gif_bytes((9, 9), 1)[:-1] + b"!\xfe" + b"\x01x" * 300_000 + b"\x00;"),
    ],
    ids=["jpeg-segments", "png-chunks", "gif-sub-blocks"],
)
def test_an_image_header_built_of_countless_empty_blocks_is_refused(name, data):
    """Pillow walks such headers block by block in Python: seconds for a 10 MB file."""
    assert _refused(name, data).kind is ErrorKind.FILE_UNREADABLE


def test_a_pdf_of_too_many_pages_is_refused_before_its_text_is_read():
    data = pdf_sharing_one_stream(600, COSTLY_CONTENT)  # would take a minute to read
    started = time.monotonic()
    problem = _refused("pages.pdf", data)
    assert problem.kind is ErrorKind.FILE_TOO_MANY_PAGES
    assert problem.details == {"name": "pages.pdf", "pages": "600", "limit": "500"}
    assert time.monotonic() - started < 10


def _costly_pdf() -> bytes:
    return pdf_sharing_one_stream(400, COSTLY_CONTENT)  # about 40 s of CPU to read


def _deflated_pdf() -> bytes:
    return pdf_sharing_one_stream(1, b" " * 70_000_000, compressed=True)  # 68 kB on disk


@pytest.mark.parametrize(
    ("limits", "make", "within"),
    [
        (PdfLimits(cpu_seconds=1, wall_seconds=60), _costly_pdf, 20),
        (PdfLimits(cpu_seconds=30, wall_seconds=0.5), _costly_pdf, 5),
        (PdfLimits(memory_bytes=150 * 1024 * 1024), _deflated_pdf, 20),
    ],
    ids=["cpu", "wall-clock", "memory"],
)
def test_a_pdf_too_costly_to_read_is_stopped_and_refused(limits, make, within):
    data = make()
    started = time.monotonic()
    problem = _refused("costly.pdf", data, pdf_limits=limits)
    assert time.monotonic() - started < within  # generous: a busy machine gives it less CPU
    assert problem.kind is ErrorKind.FILE_TOO_COSTLY
    assert problem.details == {"name": "costly.pdf"}


def test_pdfs_are_read_outside_the_server_process(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a PDF was parsed in the server process")

    monkeypatch.setattr(pypdf, "PdfReader", forbidden)
    attachment = read_upload("report.pdf", pdf_bytes("Only page"), text_budget=BUDGET)
    assert attachment.sent and attachment.text == "Only page"


def test_a_pdf_over_the_budget_is_not_sent_back_whole():
    result = read_pdf(pdf_bytes("a" * 50, "b" * 50, "c" * 50), budget=60, limits=PDF_LIMITS)
    assert result == PdfResult(length=102, pages=2)  # stopped after the page over the budget


@pytest.mark.parametrize(
    ("name", "data", "clean", "kind"),
    [
        ("report\u202efdp.txt", b"hello", "reportfdp.txt", AttachmentKind.TEXT),
        ("photo.pn\u200bg", image_bytes(), "photo.png", AttachmentKind.IMAGE),
        (
            "a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069\u200e\u200f\u061c"
            "\ufeff\u2060\x07\n\u2028.md",
            b"hello",
            "abcdefgh.md",
            AttachmentKind.TEXT,
        ),
        ("日本語\u200dの資料.csv", "名前\n".encode(), "日本語の資料.csv", AttachmentKind.TEXT),
    ],
    ids=["right-to-left-override", "zero-width-space", "every-kind", "zero-width-joiner"],
)
def test_invisible_characters_are_dropped_from_names(name, data, clean, kind):
    attachment = read_upload(name, data, text_budget=BUDGET)
    assert attachment.sent and (attachment.name, attachment.kind) == (clean, kind)


def test_a_name_shown_as_a_pdf_is_judged_by_what_it_really_ends_with():
    problem = _refused("invoice\u202efdp.exe", b"MZ")  # shows as "invoiceexe.pdf"
    assert problem.kind is ErrorKind.FILE_UNSUPPORTED
    assert problem.details == {"name": "invoicefdp.exe"}


def test_names_of_files_beyond_the_maximum_are_cleaned_too():
    uploads = [FakeUpload(f"{i}\u202e.txt", b"x") for i in range(MAX_FILES + 1)]
    attachments = read_uploads(uploads, text_budget=BUDGET)
    assert [a.name for a in attachments] == [f"{i}.txt" for i in range(MAX_FILES + 1)]
