"""Reading attached files: what is sent, and a clear reason for each file that is not."""

import base64
import io
from dataclasses import dataclass

import pytest
from PIL import Image
from pypdf import PdfWriter

from chat_core.attachments import (
    MAX_FILES,
    MAX_IMAGE_SIDE,
    SIZE_LIMITS,
    AttachmentKind,
    message_content,
    read_upload,
    read_uploads,
    refusal,
)
from chat_core.errors import ErrorKind
from tests.support.files import image_bytes, pdf_bytes

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
