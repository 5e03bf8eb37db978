"""Tokens an answer used, from the stream's usage data or counted here, and what they cost."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = [
    "DEFAULT_PRICES",
    "Usage",
    "cost",
    "estimate_tokens",
    "parse_prices",
    "usage_from",
]

# US dollars per million tokens (input, output); deployers override with CHAT_PRICES.
# The gpt-5.x rows are OpenAI's list prices as published in 2026 (thinking tokens bill as
# output); verify against OpenAI's pricing page, and override with CHAT_PRICES.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-5.5": (5.00, 30.00),
    "gpt-5.5-pro": (30.00, 180.00),
    "gpt-5.4": (2.50, 15.00),
    "gpt-5.4-mini": (0.75, 4.50),
    "gpt-5.4-nano": (0.20, 1.25),
    "gpt-5.4-pro": (30.00, 180.00),
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "o3": (2.00, 8.00),
    "o4-mini": (1.10, 4.40),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}

_WIDE = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")
_WORDS = re.compile(r"\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    model: str = ""
    estimated: bool = False  # the server sent no usage: counted here
    reasoning_tokens: int = 0  # of the output, spent thinking (where the server says)

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens

    def as_dict(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "model": self.model,
            "estimated": self.estimated,
            "reasoning_tokens": self.reasoning_tokens,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Usage | None:
        if not data:
            return None
        return cls(
            int(data.get("input_tokens", 0)),
            int(data.get("output_tokens", 0)),
            str(data.get("model", "")),
            bool(data.get("estimated", False)),
            int(data.get("reasoning_tokens") or 0),
        )


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


def usage_from(
    metadata: Mapping[str, Any] | None, *, prompt: Iterable[str], answer: str, model: str
) -> Usage:
    """The server's usage when it sent one; otherwise counted here, and marked as such."""
    if metadata and metadata.get("output_tokens") is not None:
        details = metadata.get("output_token_details") or {}
        return Usage(
            int(metadata["input_tokens"]),
            int(metadata["output_tokens"]),
            model,
            reasoning_tokens=int(details.get("reasoning") or 0),
        )
    # Each chat message costs a few tokens of framing beyond its text.
    input_tokens = sum(estimate_tokens(part) + 4 for part in prompt)
    return Usage(input_tokens, estimate_tokens(answer), model, estimated=True)


def parse_prices(raw: str | None) -> dict[str, tuple[float, float]]:
    """The default prices, updated by a JSON object ``{"model": [input, output], ...}``."""
    prices = dict(DEFAULT_PRICES)
    if raw:
        for model, pair in json.loads(raw).items():
            prices[str(model)] = (float(pair[0]), float(pair[1]))
    return prices


# A snapshot's date after a model's name ("gpt-5.4-mini-2026-03-17"): priced as the model.
_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def cost(usage: Usage, prices: Mapping[str, tuple[float, float]]) -> float | None:
    """Estimated US dollars, or None for a model without a price."""
    pair = prices.get(usage.model) or prices.get(_SNAPSHOT.sub("", usage.model))
    if pair is None:
        return None
    return (usage.input_tokens * pair[0] + usage.output_tokens * pair[1]) / 1_000_000
