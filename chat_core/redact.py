"""Removing API keys from text bound for a log."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["redact"]

# OpenAI-style keys, whole or masked ("sk-proj-abc...", "sk-abc*****xyz").
_KEY_PATTERN = re.compile(r"sk-[A-Za-z0-9_*.\-]{3,}")
REDACTED = "[redacted]"


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every given secret, and anything shaped like a key, replaced."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return _KEY_PATTERN.sub(REDACTED, text)
