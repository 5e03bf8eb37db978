"""Ranking passages for a question: by embeddings (cosine similarity over one matrix,
with numpy), and the rankings of several rankers fused by reciprocal rank fusion
(Cormack et al., 2009), which needs no scores that agree between rankers."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

import numpy as np

__all__ = ["VectorIndex", "fuse"]

Key = TypeVar("Key", bound=Hashable)
RRF_K = 60  # the constant of the original paper: a ranker's top few weigh alike


def fuse(
    rankings: Sequence[Sequence[Key]], *, limit: int | None = None, k: int = RRF_K
) -> list[Key]:
    """The keys of every ranking by the sum of 1 / (k + rank) over the rankings that
    hold them; ties keep the order in which they were first seen."""
    scores: dict[Key, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    ordered = sorted(scores, key=lambda key: -scores[key])  # sorted() is stable
    return ordered if limit is None else ordered[:limit]


class VectorIndex:
    """Embeddings of passages as one normalised float32 matrix, searched by a dot
    product: 20,000 passages of 1,536 dimensions are 120 MB and one product."""

    def __init__(self, vectors: Sequence[Sequence[float]] | np.ndarray) -> None:
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.size == 0:
            matrix = np.zeros((0, 0), dtype=np.float32)
        elif matrix.ndim != 2:
            raise ValueError("embeddings are rows of one size")
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self._matrix = matrix / np.where(norms == 0, 1.0, norms)

    def __len__(self) -> int:
        return len(self._matrix)

    def top(self, query: Sequence[float], count: int) -> list[tuple[int, float]]:
        """The ``count`` rows most like ``query``: (row, cosine similarity), best first."""
        if not len(self._matrix) or count <= 0:
            return []
        vector = np.asarray(query, dtype=np.float32)
        if vector.shape != (self._matrix.shape[1],):
            raise ValueError("the question's embedding has another size than the passages'")
        norm = float(np.linalg.norm(vector))
        scores = self._matrix @ (vector / (norm or 1.0))
        count = min(count, len(scores))
        best = np.argpartition(-scores, count - 1)[:count]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(row), float(scores[row])) for row in best]
