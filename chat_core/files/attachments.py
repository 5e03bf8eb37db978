"""Files attached to a message: checked, read, and turned into what the model is sent.

Images go to the model as image content parts; text-like files and PDFs as text
added to the message, within a character budget. A file that is too large, of a
type not handled here, or not what its name says is kept only as a name and a
reason, and the message it came with is not sent.

Everything a file costs to read is bounded before it is spent: an image's pixels
are checked from its header before Pillow decodes it, and a PDF is read in a
child process with CPU, memory and time limits (``pdf_reader``).
"""

from __future__ import annotations

import base64
import codecs
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Protocol

from PIL import Image

from chat_core.errors import ErrorKind, UserFacingError
from chat_core.files.image_header import Dimensions, dimensions, format_of
from chat_core.files.kinds import IMAGE_TYPES, TEXT_SUFFIXES, AttachmentKind, clean_name, kind_of
from chat_core.files.pdf_reader import PdfLimits, PdfProblem, read_pdf
from chat_core.markdown.visitor_text import clean_user_text

__all__ = [
    "IMAGE_TYPES",
    "MAX_FILES",
    "MAX_FRAME_PIXELS",
    "MAX_TOTAL_PIXELS",
    "PDF_LIMITS",
    "SIZE_LIMITS",
    "TEXT_SUFFIXES",
    "UPLOAD_LIMIT_MB",
    "Attachment",
    "AttachmentKind",
    "human_size",
    "message_content",
    "read_upload",
    "read_uploads",
    "refusal",
]

MB = 1024 * 1024
_MIME_OF_FORMAT = {pillow: mime for pillow, mime in IMAGE_TYPES.values()}


# Bytes as uploaded, per file. Images above OpenAI's own working size are scaled down.
SIZE_LIMITS: dict[AttachmentKind, int] = {
    AttachmentKind.IMAGE: 10 * MB,
    AttachmentKind.PDF: 20 * MB,
    AttachmentKind.TEXT: 2 * MB,
}
# What the message box takes at all, in Streamlit's megabytes (MiB): a little above the
# largest of SIZE_LIMITS, so that the app names a larger file with its own limit.
UPLOAD_LIMIT_MB = 25
MAX_FILES = 5
MAX_IMAGE_SIDE = 2048
# Pixels Pillow may decode: one frame takes 4 bytes a pixel (160 MB at the limit, as
# scaling a 40-megapixel photo down needs); an animation's frames are decoded one by one,
# by Streamlit's thumbnail, the browser and the model, so all of them together are bounded.
MAX_FRAME_PIXELS = 40_000_000
MAX_TOTAL_PIXELS = 200_000_000
PDF_LIMITS = PdfLimits()
_PDF_PROBLEMS = {
    PdfProblem.ENCRYPTED: ErrorKind.FILE_ENCRYPTED,
    PdfProblem.NO_TEXT: ErrorKind.FILE_NO_TEXT,
    PdfProblem.UNREADABLE: ErrorKind.FILE_UNREADABLE,
    PdfProblem.TOO_COSTLY: ErrorKind.FILE_TOO_COSTLY,
}


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


def _megapixels(pixels: int) -> str:
    value = pixels / 1_000_000
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def read_uploads(uploads: Sequence[Upload], *, text_budget: int) -> list[Attachment]:
    """Read every upload of one message; the text budget is shared by all its files."""
    attachments: list[Attachment] = []
    budget = text_budget
    for index, upload in enumerate(uploads):
        if index >= MAX_FILES:
            name = clean_name(upload.name)
            error = UserFacingError(
                ErrorKind.TOO_MANY_FILES, {"name": name, "limit": str(MAX_FILES)}
            )
            attachments.append(Attachment(name=name, kind=kind_of(name), problem=error))
            continue
        attachment = read_upload(upload.name, upload.getvalue(), text_budget=budget)
        budget -= len(attachment.text)
        attachments.append(attachment)
    return attachments


def read_upload(
    name: str, data: bytes, *, text_budget: int, pdf_limits: PdfLimits = PDF_LIMITS
) -> Attachment:
    """Check and read one file; a file that cannot be sent carries its ``problem``.

    Its kind is told by its name as shown, with invisible characters dropped.
    """
    name = clean_name(name)
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
        if kind is AttachmentKind.PDF:
            text = _pdf_text(name, data, text_budget, pdf_limits)
        else:
            text = _text(name, data)
        if len(text) > text_budget:
            raise _too_long(name, len(text), text_budget)
    except _RejectedError as rejected:
        return Attachment(name=name, kind=kind, size=len(data), problem=rejected.error)
    mime_type = "application/pdf" if kind is AttachmentKind.PDF else "text/plain"
    return Attachment(name=name, kind=kind, mime_type=mime_type, size=len(data), text=text)


def _image(name: str, data: bytes) -> tuple[str, bytes]:
    """The image's real MIME type and bytes, scaled down if larger than the model uses.

    An image saved under another image extension (a PNG named .jpg) is sent with
    its real type; bytes that are no image at all are refused. Its pixels are
    checked from its header before Pillow reads more than that.
    """
    image_format = format_of(data)
    if image_format is None:
        raise _RejectedError(ErrorKind.FILE_MISMATCH, name=name)
    declared = dimensions(image_format, data)
    if declared is None:
        raise _RejectedError(ErrorKind.FILE_UNREADABLE, name=name)
    _check_pixels(name, declared)
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            found = image.format
            frames = getattr(image, "n_frames", 1) if declared.frames is None else declared.frames
            _check_pixels(name, Dimensions(*image.size, frames))  # as Pillow sees it
            image.verify()
        if found not in _MIME_OF_FORMAT:  # a JPEG holding several pictures (MPO)
            raise _RejectedError(ErrorKind.FILE_MISMATCH, name=name)
        return _MIME_OF_FORMAT[found], _scaled_down(data, found, animated=frames > 1)
    except Image.DecompressionBombError:  # not expected: Pillow found more than declared
        raise _RejectedError(
            ErrorKind.FILE_TOO_MANY_PIXELS, name=name, **_pixels(declared, _pixel_limit())
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):  # UnidentifiedImageError included
        raise _RejectedError(ErrorKind.FILE_UNREADABLE, name=name) from None


def _pixel_limit() -> int:
    """Ours, or Pillow's if something set it lower: then Pillow never warns or raises first."""
    pillow = Image.MAX_IMAGE_PIXELS
    return MAX_FRAME_PIXELS if pillow is None else min(MAX_FRAME_PIXELS, int(pillow))


def _check_pixels(name: str, image: Dimensions) -> None:
    """Refuse an image whose decoding would cost more memory or time than allowed."""
    if image.pixels > (limit := _pixel_limit()):
        raise _RejectedError(ErrorKind.FILE_TOO_MANY_PIXELS, name=name, **_pixels(image, limit))
    frames = image.frames or 1
    if image.pixels * frames > MAX_TOTAL_PIXELS:
        details = _pixels(image, MAX_TOTAL_PIXELS, frames=frames)
        raise _RejectedError(ErrorKind.FILE_TOO_MANY_FRAMES, name=name, **details)


def _pixels(image: Dimensions, limit: int, *, frames: int = 1) -> dict[str, str]:
    """An image's size (and frames, for an animation) and a limit, as a refusal shows them."""
    details = {"width": f"{image.width:,}", "height": f"{image.height:,}"}
    if frames > 1:
        details["frames"] = f"{frames:,}"
    return {
        **details,
        "megapixels": _megapixels(image.pixels * frames),
        "limit": _megapixels(limit),
    }


def _scaled_down(data: bytes, image_format: str, *, animated: bool) -> bytes:
    """Images wider or taller than MAX_IMAGE_SIDE, scaled to it; others unchanged.

    OpenAI scales larger images down itself, so sending them whole only costs
    upload time and storage. Animated images are left as they are.
    """
    with Image.open(io.BytesIO(data), formats=[image_format]) as image:
        if max(image.size) <= MAX_IMAGE_SIDE or animated:
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


def _pdf_text(name: str, data: bytes, budget: int, limits: PdfLimits) -> str:
    """The text of a PDF's pages, read in a limited child process until the budget is spent."""
    if b"%PDF-" not in data[:1024]:
        raise _RejectedError(ErrorKind.FILE_MISMATCH, name=name)
    result = read_pdf(data, budget=budget, limits=limits)
    if result.problem is PdfProblem.TOO_MANY_PAGES:
        raise _RejectedError(
            ErrorKind.FILE_TOO_MANY_PAGES,
            name=name,
            pages=f"{result.pages:,}",
            limit=f"{limits.pages:,}",
        )
    if result.problem is not None:
        raise _RejectedError(_PDF_PROBLEMS[result.problem], name=name)
    if result.length > budget:
        raise _too_long(name, result.length, budget)
    return result.text


def _too_long(name: str, length: int, budget: int) -> _RejectedError:
    return _RejectedError(
        ErrorKind.FILE_TOO_LONG, name=name, length=f"{length:,}", limit=f"{max(budget, 0):,}"
    )


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
