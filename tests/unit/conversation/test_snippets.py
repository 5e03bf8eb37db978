"""Snippets: the words searched for, in a short stretch of their text, each marked."""

from __future__ import annotations

from chat_core.conversation.snippets import AFTER, BEFORE, snippet


def test_every_appearance_is_marked_in_any_case():
    shown = snippet("Ramen, RAMEN and ramen\nnoodles", "ramen")
    assert shown.parts == (
        ("Ramen", True),
        (", ", False),
        ("RAMEN", True),
        (" and ", False),
        ("ramen", True),
        (" noodles", False),  # on one line
    )


def test_a_long_text_is_cut_around_the_words_between_words():
    text = "word " * 1000 + "ラーメン" + " tail" * 1000
    shown = snippet(text, "ラーメン")
    assert len(shown.text) <= BEFORE + AFTER + 2
    assert shown.parts[0] == ("…", False) and shown.parts[-1] == ("…", False)
    assert shown.parts[1][0].startswith("word ") and shown.parts[-2][0].endswith(" tail")
    assert ("ラーメン", True) in shown.parts


def test_a_stretch_already_cut_says_so_and_words_not_found_show_its_start():
    shown = snippet("middle of a message", "absent", cut_before=True, cut_after=True)
    assert shown.parts == (("…", False), ("middle of a message", False), ("…", False))
    assert snippet("plain", "").parts == (("plain", False),)
