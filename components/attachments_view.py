"""What a question carried: image thumbnails, documents to open, and files that were refused."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from chat_core.files.attachments import (
    IMAGE_TYPES,
    MAX_FILES,
    SIZE_LIMITS,
    Attachment,
    AttachmentKind,
    human_size,
)
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown

__all__ = ["attachment_rules", "render_attachments"]

THUMBNAIL_WIDTH = 160
PREVIEW_CHARACTERS = 2000  # of a document, under its name; the model gets all of it


def attachment_rules(t: Translator, *, text_budget: int) -> str:
    """What may be attached, and how much: stated on the page before anyone attaches."""
    return t(
        "attachment.rules",
        images=", ".join(sorted({s.lstrip(".").upper() for s in IMAGE_TYPES} - {"JPEG"})),
        image_limit=human_size(SIZE_LIMITS[AttachmentKind.IMAGE]),
        pdf_limit=human_size(SIZE_LIMITS[AttachmentKind.PDF]),
        text_limit=human_size(SIZE_LIMITS[AttachmentKind.TEXT]),
        files=MAX_FILES,
        characters=f"{text_budget:,}",
    )


def _render_document(attachment: Attachment, t: Translator) -> None:
    label = t(
        "attachment.document",
        name=escape_markdown(attachment.name),
        size=human_size(attachment.size),
        characters=f"{len(attachment.text):,}",
    )
    with st.expander(label, icon=":material/description:"):
        preview = attachment.text[:PREVIEW_CHARACTERS]
        st.code(preview + ("\n…" if len(attachment.text) > len(preview) else ""), language=None)


def render_attachments(attachments: Sequence[Attachment], t: Translator) -> None:
    images = [a for a in attachments if a.sent and a.kind is AttachmentKind.IMAGE]
    if images:
        st.image(
            [a.data for a in images],
            caption=[a.name for a in images],
            width=THUMBNAIL_WIDTH,
        )
    for attachment in attachments:
        if not attachment.sent:
            reason = escape_markdown(t.explain(attachment.problem))
            st.markdown(
                t("attachment.refused", name=escape_markdown(attachment.name), reason=reason)
            )
        elif attachment.kind is not AttachmentKind.IMAGE:
            _render_document(attachment, t)
