"""What tokens cost: list prices per model, which a deployer may override."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from chat_core.usage.tokens import Usage

__all__ = ["DEFAULT_PRICES", "cost", "parse_prices"]

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
