"""A conversation as a file: JSON (everything but image bytes: message_codec.EXPORT) or
Markdown to read."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime

from chat_core.conversation.message_codec import EXPORT, message_dict
from chat_core.conversation.messages import ChatMessage, Rating, Status, Thinking
from chat_core.conversation.tool_steps import (
    StepStatus,
    ToolStep,
    answer_sources,
    arguments_line,
    text_around_steps,
)
from chat_core.files.attachments import human_size
from chat_core.storage.store import StoredConversation
from chat_core.web.source_list import sources_markdown

__all__ = ["export_json", "export_markdown", "export_name"]


def export_json(conversation: StoredConversation) -> str:
    payload = {
        "id": conversation.id,
        "title": conversation.title,
        "created_at": conversation.created_at.isoformat(),
        "updated_at": conversation.updated_at.isoformat(),
        "settings": conversation.settings,
        "messages": [message_dict(m, EXPORT) for m in conversation.messages],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _folded_thinking(thinking: Thinking, label: str) -> str:
    """The thoughts folded under the answer's heading (``<details>`` renders folded)."""
    seconds = f" ({thinking.seconds:.0f} s)" if thinking.seconds is not None else ""
    return f"<details><summary>{label}{seconds}</summary>\n\n{thinking.text}\n\n</details>\n"


def _fenced(text: str) -> str:
    """``text`` as a code block no backtick inside it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _folded_step(step: ToolStep, labels: dict[str, str]) -> str:
    """One tool call folded under its name and arguments; its result or why it failed."""
    seconds = f", {step.seconds:.1f} s" if step.seconds is not None else ""
    mark = (
        ""
        if step.status is StepStatus.DONE
        else f" ({labels.get(f'step_{step.status.value}', step.status.value)})"
    )
    summary = f"🔧 {step.name}({arguments_line(step)}){seconds}{mark}"
    summary = summary.replace("<", "&lt;").replace(">", "&gt;")
    body = step.result if step.status is StepStatus.DONE else step.error or ""
    return f"<details><summary>{summary}</summary>\n\n{_fenced(body)}\n\n</details>\n"


def _answer_parts(message: ChatMessage, labels: dict[str, str]) -> list[str]:
    """The answer's text with its tool calls folded where they came in it."""
    pieces, rest = text_around_steps(message.content, message.steps)
    parts: list[str] = []
    for before, step in pieces:
        if before.strip():
            parts.append(before.strip("\n") + "\n")
        parts.append(_folded_step(step, labels))
    parts.append(rest)
    if sources := answer_sources(message.steps):
        parts.append(f"\n{labels.get('sources', 'Sources')}:\n\n{sources_markdown(sources)}")
    return parts


def export_markdown(conversation: StoredConversation, *, labels: dict[str, str]) -> str:
    """The conversation as Markdown; ``labels`` names the roles and marks in one language.

    ``labels`` has the roles and statuses by value, and "not_sent" and "feedback".
    """
    parts = [f"# {conversation.title}", ""]
    for message in conversation.messages:
        parts.append(f"## {labels[message.role.value]}")
        parts.append("")
        if message.thinking is not None:
            parts.append(_folded_thinking(message.thinking, labels.get("thinking", "Thinking")))
        parts.extend(_answer_parts(message, labels))
        for attachment in message.attachments:
            sent = "" if attachment.sent else f" ({labels['not_sent']})"
            parts.append(f"\n📎 {attachment.name}, {human_size(attachment.size)}{sent}")
        if message.status is not Status.COMPLETE:
            parts.append("")
            parts.append(f"_({labels[message.status.value]})_")
        if message.feedback is not None:
            thumb = "👍" if message.feedback.rating is Rating.UP else "👎"
            comment = f" {message.feedback.comment}" if message.feedback.comment else ""
            parts.append(f"\n{labels['feedback']}: {thumb}{comment}")
        parts.append("")
    return "\n".join(parts)


# What file systems refuse or scripts stumble on in a name; everything else (Japanese
# included) is kept.
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\s]+')


def export_name(title: str, moment: datetime, extension: str) -> str:
    """A download's file name: the conversation's title and date, e.g.
    ``Ramen near the station 2026-11-25.md``; never a path, never hidden."""
    safe = _UNSAFE_IN_NAME.sub(" ", unicodedata.normalize("NFC", title)).strip(" .")
    safe = " ".join(safe.split())[:80].rstrip(" .") or "conversation"
    return f"{safe} {moment:%Y-%m-%d}.{extension}"
