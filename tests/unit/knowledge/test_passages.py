"""A file cut into passages: bounded, in order, each naming its file and page; Japanese
cut at its sentences though it has no spaces."""

from chat_core.knowledge.passages import PASSAGE_CHARS, split_pages


def test_passages_are_bounded_ordered_and_keep_their_page():
    english = "\n\n".join(f"Paragraph {n}. " + "The thesis argues a point. " * 12 for n in range(6))
    passages = split_pages([(1, english), (2, "A short last page.")], "thesis.pdf")
    assert all(len(p.text) <= PASSAGE_CHARS for p in passages)
    assert [p.number for p in passages] == list(range(len(passages)))
    assert {p.page for p in passages} == {1, 2} and passages[-1].text == "A short last page."
    assert all(p.source == "thesis.pdf" for p in passages)


def test_japanese_is_cut_after_its_sentences():
    japanese = "東京駅のラーメンストリートには八つの店があります。" * 60
    passages = split_pages([(None, japanese)], "memo.md", chars=200)
    assert len(passages) > 1
    assert all(p.text.endswith("。") for p in passages)
    assert all(len(p.text) <= 200 for p in passages)


def test_empty_pages_give_no_passages():
    assert split_pages([(1, "   \n\n  "), (2, "")], "blank.pdf") == []
