"""About how many tokens a text or the messages of a request are, before the server says.

One estimator for every count made ahead of time: what the limits reserve, what fits the
window, what a title costs, and the usage of a server that sends none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from langchain_core.messages import BaseMessage

__all__ = ["FRAMING", "IMAGE_TOKENS", "estimate_tokens", "message_tokens", "prompt_tokens"]

# What an image costs at most in OpenAI's accounting (a 2048 px image in high detail).
IMAGE_TOKENS = 1_105
FRAMING = 4  # each chat message's role and separators

_WIDE = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")
_WORDS = re.compile(r"\w+|[^\w\s]", re.UNICODE)


@cache
def _tiktoken_encoding() -> Any | None:
    """tiktoken's encoding if it can be had (it downloads on first use); else None."""
    try:
        import tiktoken

        return tiktoken.get_encoding("o200k_base")
    except Exception:  # offline, or not installed: fall back to the estimate below
        return None


def estimate_tokens(text: str) -> int:
    """Tokens in ``text``: tiktoken's count when available, else a close estimate.

    The estimate counts each CJK character as a token and other words at about
    1.3 tokens, which is near what OpenAI's tokenizers give for chat text.
    """
    encoding = _tiktoken_encoding()
    if encoding is not None:
        return len(encoding.encode(text))
    wide = len(_WIDE.findall(text))
    words = len(_WORDS.findall(_WIDE.sub(" ", text)))
    return wide + round(words * 1.3)


def message_tokens(message: BaseMessage) -> int:
    """One message as it is sent: its framing, its text parts and its images."""
    parts = message.content if isinstance(message.content, list) else [message.content]
    total = FRAMING
    for part in parts:
        if isinstance(part, str):
            total += estimate_tokens(part)
        elif part.get("type") == "text":
            total += estimate_tokens(part.get("text", ""))
        else:
            total += IMAGE_TOKENS
    for call in getattr(message, "tool_calls", None) or ():  # an answer's calls, sent again
        total += FRAMING + estimate_tokens(call.get("name", "") + json.dumps(call.get("args")))
    return total


def prompt_tokens(messages: Iterable[BaseMessage]) -> int:
    """All the messages of one request."""
    return sum(message_tokens(message) for message in messages)
