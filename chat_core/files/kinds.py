"""Which kind of file a name is (image, PDF, text-like), and names cleaned of the
invisible characters that can make one look like another."""

from __future__ import annotations

import enum
from pathlib import PurePath

from chat_core.markdown.visitor_text import without_invisible

__all__ = ["IMAGE_TYPES", "TEXT_SUFFIXES", "AttachmentKind", "clean_name", "kind_of"]


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

TEXT_SUFFIXES = frozenset(
    [
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
    ]
)
_TEXT_NAMES = frozenset({"Dockerfile", "Makefile", "README", "LICENSE"})


def clean_name(name: str) -> str:
    """A file's name as shown and judged: without invisible characters."""
    return without_invisible(name)


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
