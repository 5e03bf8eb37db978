"""Tokens an answer used: the stream's usage data, or estimated when the server sent none."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chat_core.usage.estimate import estimate_tokens

__all__ = ["Usage", "usage_from"]


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


def usage_from(
    metadata: Mapping[str, Any] | None, *, prompt_tokens: int, answer: str, model: str
) -> Usage:
    """The server's usage when it sent one; otherwise ``prompt_tokens`` (the estimate of
    what was sent) and the answer counted here, marked as such."""
    if metadata and metadata.get("output_tokens") is not None:
        details = metadata.get("output_token_details") or {}
        return Usage(
            int(metadata["input_tokens"]),
            int(metadata["output_tokens"]),
            model,
            reasoning_tokens=int(details.get("reasoning") or 0),
        )
    return Usage(prompt_tokens, estimate_tokens(answer), model, estimated=True)
