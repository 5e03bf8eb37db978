"""Files attached to a message: checked, read, and turned into what the model is sent.

Images go to the model as image content parts; text-like files and PDFs as text
added to the message, within a character budget. A file that is too large, of a
type not handled here, or not what its name says is kept only as a name and a
reason, and the message it came with is not sent.
"""

from __future__ import annotations

import base64
import codecs
import enum
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Protocol

from PIL import Image, UnidentifiedImageError

from .errors import ErrorKind, UserFacingError
from .text import clean_user_text

__all__ = [
    "IMAGE_TYPES",
    "MAX_FILES",
    "SIZE_LIMITS",
    "TEXT_SUFFIXES",
    "Attachment",
    "AttachmentKind",
    "human_size",
    "message_content",
    "read_upload",
    "read_uploads",
    "refusal",
]

MB = 1024 * 1024


class AttachmentKind(enum.StrEnum):
    IMAGE = "image"
    TEXT = "text"
    PDF = "pdf"


# Extension -> Pillow's name for the format and the MIME type sent to the model.
IMAGE_TYPES: dict[str, tuple[str, str]] = {
    ".png": ("PNG", "image/png"),
    ".jpg": ("JPEG", "image/jpeg"),
    ".jpeg": ("JPEG", "image/jpeg"),
    ".gif": ("GIF", "image/gif"),
    ".webp": ("WEBP", "image/webp"),
}
_MIME_OF_FORMAT = {pillow: mime for pillow, mime in IMAGE_TYPES.values()}
# How each image format starts: bytes that start so but do not open are a damaged image.
_IMAGE_SIGNATURES = re.compile(rb"\x89PNG|\xff\xd8\xff|GIF8[79]a|RIFF....WEBP", re.DOTALL)

TEXT_SUFFIXES = frozenset(
    {
        ".txt",
        ".md",
        ".markdown",
        ".rst",
        ".csv",
        ".tsv",
        ".json",
        ".jsonl",
        ".yaml",
        ".yml",
        ".toml",
        ".ini",
        ".cfg",
        ".xml",
        ".html",
        ".css",
        ".log",
        ".tex",
        ".sql",
        ".py",
        ".js",
        ".jsx",
        ".ts",
        ".tsx",
        ".java",
        ".kt",
        ".swift",
        ".c",
        ".h",
        ".cpp",
        ".hpp",
        ".cs",
        ".go",
        ".rs",
        ".rb",
        ".php",
        ".sh",
        ".r",
        ".scala",
        ".lua",
        ".pl",
        ".vue",
        ".svelte",
    }
)
_TEXT_NAMES = frozenset({"Dockerfile", "Makefile", "README", "LICENSE"})

# Bytes as uploaded, per file. Images above OpenAI's own working size are scaled down.
SIZE_LIMITS: dict[AttachmentKind, int] = {
    AttachmentKind.IMAGE: 10 * MB,
    AttachmentKind.PDF: 20 * MB,
    AttachmentKind.TEXT: 2 * MB,
}
MAX_FILES = 5
MAX_IMAGE_SIDE = 2048


@dataclass(frozen=True, kw_only=True)
class Attachment:
    """One attached file as the conversation keeps it."""

    name: str
    kind: AttachmentKind | None  # None: a type this app does not handle
    mime_type: str = "application/octet-stream"
    size: int = 0  # bytes, as uploaded
    text: str = field(default="", repr=False)  # a document's text, as the model reads it
    data: bytes = field(default=b"", repr=False)  # an image, as the model sees it
    problem: UserFacingError | None = None  # why it was not sent

    @property
    def sent(self) -> bool:
        return self.problem is None


class Upload(Protocol):
    """What Streamlit's ``UploadedFile`` offers (and a test can fake)."""

    name: str

    def getvalue(self) -> bytes: ...


class _RejectedError(Exception):
    def __init__(self, kind: ErrorKind, **details: str) -> None:
        super().__init__(kind.value)
        self.error = UserFacingError(kind, details)


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < MB:
        return f"{size / 1024:.1f} kB"
    return f"{size / MB:.1f} MB"


def kind_of(name: str) -> AttachmentKind | None:
    path = PurePath(name)
    suffix = path.suffix.lower()
    if suffix in IMAGE_TYPES:
        return AttachmentKind.IMAGE
    if suffix == ".pdf":
        return AttachmentKind.PDF
    if suffix in TEXT_SUFFIXES or path.name in _TEXT_NAMES:
        return AttachmentKind.TEXT
    return None


def read_uploads(uploads: Sequence[Upload], *, text_budget: int) -> list[Attachment]:
    """Read every upload of one message; the text budget is shared by all its files."""
    attachments: list[Attachment] = []
    budget = text_budget
    for index, upload in enumerate(uploads):
        if index >= MAX_FILES:
            error = UserFacingError(
                ErrorKind.TOO_MANY_FILES, {"name": upload.name, "limit": str(MAX_FILES)}
            )
            attachments.append(
                Attachment(name=upload.name, kind=kind_of(upload.name), problem=error)
            )
            continue
        attachment = read_upload(upload.name, upload.getvalue(), text_budget=budget)
        budget -= len(attachment.text)
        attachments.append(attachment)
    return attachments


def read_upload(name: str, data: bytes, *, text_budget: int) -> Attachment:
    """Check and read one file; a file that cannot be sent carries its ``problem``."""
    kind = kind_of(name)
    try:
        if kind is None:
            raise _RejectedError(ErrorKind.FILE_UNSUPPORTED, name=name)
        if len(data) > SIZE_LIMITS[kind]:
            raise _RejectedError(
                ErrorKind.FILE_TOO_LARGE,
                name=name,
                size=human_size(len(data)),
                limit=human_size(SIZE_LIMITS[kind]),
            )
        if kind is AttachmentKind.IMAGE:
            mime_type, image = _image(name, data)
            return Attachment(name=name, kind=kind, mime_type=mime_type, size=len(data), data=image)
        text = (
            _pdf_text(name, data, text_budget) if kind is AttachmentKind.PDF else _text(name, data)
        )
        if len(text) > text_budget:
            raise _RejectedError(
                ErrorKind.FILE_TOO_LONG,
                name=name,
                length=f"{len(text):,}",
                limit=f"{max(text_budget, 0):,}",
            )
    except _RejectedError as rejected:
        return Attachment(name=name, kind=kind, size=len(data), problem=rejected.error)
    mime_type = "application/pdf" if kind is AttachmentKind.PDF else "text/plain"
    return Attachment(name=name, kind=kind, mime_type=mime_type, size=len(data), text=text)


def _image(name: str, data: bytes) -> tuple[str, bytes]:
    """The image's real MIME type and bytes, scaled down if larger than the model uses.

    An image saved under another image extension (a PNG named .jpg) is sent with
    its real type; bytes that are no image at all are refused.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            found = image.format
            image.verify()
    except UnidentifiedImageError:
        damaged = _IMAGE_SIGNATURES.match(data)
        kind = ErrorKind.FILE_UNREADABLE if damaged else ErrorKind.FILE_MISMATCH
        raise _RejectedError(kind, name=name) from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _RejectedError(ErrorKind.FILE_UNREADABLE, name=name) from None
    if found not in _MIME_OF_FORMAT:
        raise _RejectedError(ErrorKind.FILE_MISMATCH, name=name)
    return _MIME_OF_FORMAT[found], _scaled_down(data, found)


def _scaled_down(data: bytes, image_format: str) -> bytes:
    """Images wider or taller than MAX_IMAGE_SIDE, scaled to it; others unchanged.

    OpenAI scales larger images down itself, so sending them whole only costs
    upload time and storage. Animated GIFs are left as they are.
    """
    with Image.open(io.BytesIO(data)) as image:
        if max(image.size) <= MAX_IMAGE_SIDE or getattr(image, "is_animated", False):
            return data
        image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
        scaled = io.BytesIO()
        image.save(scaled, format=image_format)
        return scaled.getvalue()


def _text(name: str, data: bytes) -> str:
    """A text file's content: UTF-8 (or UTF-16 with its mark), else Shift_JIS as Excel writes it."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _clean(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise _RejectedError(ErrorKind.FILE_MISMATCH, name=name) from None
    if b"\x00" in data:  # binary data under a text extension
        raise _RejectedError(ErrorKind.FILE_MISMATCH, name=name)
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return _clean(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise _RejectedError(ErrorKind.FILE_MISMATCH, name=name)


def _clean(text: str) -> str:
    return clean_user_text(text.replace("\r\n", "\n"))


def _pdf_text(name: str, data: bytes, budget: int) -> str:
    """The text of a PDF's pages; reading stops once the budget is spent."""
    from pypdf import PdfReader  # imported here: it takes 0.1 s, and only PDFs need it

    if b"%PDF-" not in data[:1024]:
        raise _RejectedError(ErrorKind.FILE_MISMATCH, name=name)
    pages: list[str] = []
    length = 0
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _RejectedError(ErrorKind.FILE_ENCRYPTED, name=name)
        for page in reader.pages:
            pages.append(_clean(page.extract_text() or ""))
            length += len(pages[-1])
            if length > budget:
                break
    except _RejectedError:
        raise
    except Exception:  # pypdf raises many kinds of error on damaged files
        raise _RejectedError(ErrorKind.FILE_UNREADABLE, name=name) from None
    text = "\n\n".join(page for page in pages if page)
    if not text:
        raise _RejectedError(ErrorKind.FILE_NO_TEXT, name=name)
    return text


def _fenced(attachment: Attachment) -> str:
    """A document as a fenced block the model can tell apart from the message."""
    longest = max((len(run) for run in re.findall(r"`+", attachment.text)), default=0)
    fence = "`" * max(3, longest + 1)
    language = PurePath(attachment.name).suffix.lstrip(".").lower()
    return f"{attachment.name}:\n{fence}{language}\n{attachment.text}\n{fence}"


def refusal(attachments: Sequence[Attachment]) -> UserFacingError | None:
    """Why a message is not sent because of its files (each file says its own reason)."""
    rejected = sum(not a.sent for a in attachments)
    if not rejected:
        return None
    return UserFacingError(ErrorKind.ATTACHMENTS_REJECTED, {"count": str(rejected)})


def message_content(text: str, attachments: Sequence[Attachment]) -> str | list[dict[str, Any]]:
    """A user message as the model gets it: plain text, or text and image parts."""
    sent = [a for a in attachments if a.sent]
    if not sent:
        return text
    documents = [_fenced(a) for a in sent if a.kind is not AttachmentKind.IMAGE]
    body = "\n\n".join(part for part in (text, *documents) if part)
    parts: list[dict[str, Any]] = [{"type": "text", "text": body}] if body else []
    for image in (a for a in sent if a.kind is AttachmentKind.IMAGE):
        encoded = base64.b64encode(image.data).decode("ascii")
        parts.append(
            {"type": "image_url", "image_url": {"url": f"data:{image.mime_type};base64,{encoded}"}}
        )
    return parts
