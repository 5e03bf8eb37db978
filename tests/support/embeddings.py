"""A deterministic embedding for the scripted server and the benchmarks: each text's
character trigrams (and, for Latin script, its words) hashed into a fixed number of
dimensions. Texts that share words or phrases (Japanese too, which has no spaces) point
the same way; the same text always gives the same vector."""

from __future__ import annotations

import hashlib
import math
import re

__all__ = ["DIMENSIONS", "embed"]

DIMENSIONS = 256
_WORD = re.compile(r"[a-z0-9]+")


def _bucket(feature: str) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    number = int.from_bytes(digest, "little")
    return number % DIMENSIONS, 1.0 if number >> 63 else -1.0


def embed(text: str) -> list[float]:
    lowered = " ".join(text.lower().split())
    features = [lowered[i : i + 3] for i in range(max(0, len(lowered) - 2))]
    features += [f"w:{word}" for word in _WORD.findall(lowered)]
    counts: dict[str, int] = {}
    for feature in features:
        counts[feature] = counts.get(feature, 0) + 1
    vector = [0.0] * DIMENSIONS
    for feature, count in counts.items():  # sublinear: a phrase said often is not louder
        index, sign = _bucket(feature)
        vector[index] += sign * (1.0 + math.log(count))
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]
