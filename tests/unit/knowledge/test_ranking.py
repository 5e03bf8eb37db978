"""Ranking: cosine similarity over a matrix, and reciprocal rank fusion."""

import pytest

from chat_core.knowledge.ranking import VectorIndex, fuse


def test_fusion_favours_what_several_rankers_agree_on():
    # d leads one ranking only; a and b are high in both.
    assert fuse([["a", "b", "c"], ["d", "b", "a"]]) == ["a", "b", "d", "c"]
    assert fuse([["a", "b"]], limit=1) == ["a"]
    assert fuse([]) == []


def test_the_nearest_rows_come_first_with_their_similarity():
    index = VectorIndex([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0]])
    (best, score), (second, _) = index.top([2, 0.1, 0], 2)
    assert (best, second) == (0, 2) and score == pytest.approx(0.9988, abs=1e-3)
    assert len(index.top([1, 0, 0], 10)) == 4
    assert VectorIndex([]).top([1.0], 3) == []


def test_a_question_of_another_size_is_refused():
    with pytest.raises(ValueError, match="another size"):
        VectorIndex([[1.0, 0.0]]).top([1.0, 0.0, 0.0], 1)
