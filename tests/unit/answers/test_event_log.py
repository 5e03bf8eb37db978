"""An answer's events: in order, each read once by every follower, the end last."""

from __future__ import annotations

import threading

from chat_core.answers.event_log import AnswerLog, Cursor
from chat_core.answers.events import AnswerText, Ended, Retrying, ThinkingText
from chat_core.conversation.messages import ChatMessage


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_pieces_of_one_kind_join_and_the_order_of_kinds_is_kept():
    log = AnswerLog()
    for event in (
        Retrying(503, 1, 2),
        ThinkingText("plan "),
        ThinkingText("more"),
        AnswerText("Hel"),
        AnswerText("lo"),
    ):
        log.emit(event)
    news = log.follow(Cursor(), timeout=0)
    assert news.events == (Retrying(503, 1, 2), ThinkingText("plan more"), AnswerText("Hello"))
    assert (log.text(), log.text(ThinkingText)) == ("Hello", "plan more")


def test_a_follower_gets_only_what_it_has_not_read():
    log = AnswerLog()
    log.emit(AnswerText("one "))
    first = log.follow(Cursor(), timeout=0)
    log.emit(AnswerText("two"))
    log.emit(ThinkingText(""))  # nothing: no event
    second = log.follow(first.cursor, timeout=0)
    assert second.events == (AnswerText("two"),)
    assert log.follow(second.cursor, timeout=0).events == ()
    # Another follower, from the start, gets it all at once.
    assert log.follow(Cursor(), timeout=0).events == (AnswerText("one two"),)


def test_the_end_comes_last_and_nothing_follows_it():
    log = AnswerLog()
    log.emit(AnswerText("partial"))
    ended = Ended(ChatMessage.assistant("partial"), number=3)
    log.emit(ended)
    log.emit(AnswerText(" late"))
    news = log.follow(Cursor(), timeout=0)
    assert news.events == (AnswerText("partial"), ended) and news.ended is ended
    assert log.text() == "partial" and log.ended is ended


def test_a_follower_waits_for_news_and_wakes_when_it_comes():
    log = AnswerLog()
    threading.Timer(0.05, lambda: log.emit(AnswerText("hi"))).start()
    news = log.follow(Cursor(), timeout=10)
    assert news.events == (AnswerText("hi"),)
    assert log.follow(news.cursor, timeout=0.01).events == ()  # a timeout: nothing new


def test_how_long_it_thought_is_from_the_first_thought_to_the_first_words():
    clock = Clock()
    log = AnswerLog(clock)
    clock.now = 10.0
    log.emit(ThinkingText("hmm"))
    clock.now = 13.5
    assert log.thought_for() is None  # still thinking
    log.emit(AnswerText("So"))
    clock.now = 20.0
    assert log.thought_for() == 3.5
    cut = AnswerLog(clock)
    cut.emit(ThinkingText("hmm"))
    clock.now = 25.0
    cut.emit(Ended(ChatMessage.assistant(""), number=1))
    assert cut.thought_for() == 5.0  # it ended while thinking
    assert AnswerLog().thought_for() is None
