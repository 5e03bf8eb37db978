import pytest

from chat_core.streaming import CURSOR, StreamingMarkdownHandler


class RecordingSink:
    """A sink that remembers every text it was asked to show."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    def markdown(self, text: str) -> None:
        self.shown.append(text)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_first_token_is_drawn_at_once_with_the_cursor(clock):
    sink = RecordingSink()
    handler = StreamingMarkdownHandler(sink, min_interval=0.05, clock=clock)
    handler.on_llm_new_token("Hel")
    assert sink.shown == ["Hel" + CURSOR]


def test_tokens_within_the_interval_are_batched_then_flushed(clock):
    sink = RecordingSink()
    handler = StreamingMarkdownHandler(sink, min_interval=0.5, clock=clock)
    handler.on_llm_new_token("a")
    for token in "bcde":
        clock.now += 0.125
        handler.on_llm_new_token(token)
    assert sink.shown == ["a" + CURSOR, "abcde" + CURSOR]  # at t=0.5, not before
    clock.now += 0.125
    handler.on_llm_new_token("f")
    handler.on_llm_end(response=None)
    assert sink.shown[-1] == "abcdef"
    assert handler.text == "abcdef"


def test_the_end_removes_the_cursor_even_when_every_token_was_drawn(clock):
    sink = RecordingSink()
    handler = StreamingMarkdownHandler(sink, min_interval=0.0, clock=clock)
    for token in ["x", "y"]:
        handler.on_llm_new_token(token)
    handler.on_llm_end(response=None)
    assert sink.shown == ["x" + CURSOR, "xy" + CURSOR, "xy"]


def test_redraws_at_1000_tokens_per_second_are_bounded_by_time(clock):
    sink = RecordingSink()
    handler = StreamingMarkdownHandler(sink, min_interval=0.05, clock=clock)
    for _ in range(2048):
        handler.on_llm_new_token("tok ")
        clock.now += 1 / 1024
    handler.on_llm_end(response=None)
    assert 40 <= len(sink.shown) <= 42  # 2 s of tokens / 50 ms, plus the first and last
    assert sink.shown[-1] == "tok " * 2048


def test_finish_is_idempotent_and_empty_tokens_are_ignored(clock):
    sink = RecordingSink()
    handler = StreamingMarkdownHandler(sink, clock=clock)
    handler.on_llm_new_token("")
    assert sink.shown == [] and not handler.has_started
    handler.on_llm_new_token("ok")
    handler.finish()
    handler.finish()
    assert sink.shown == ["ok" + CURSOR, "ok"]


def test_a_sink_that_raises_stops_the_stream_and_keeps_the_text(clock):
    class InterruptError(Exception):
        pass

    class InterruptErroringSink(RecordingSink):
        interrupted = False

        def markdown(self, text: str) -> None:
            if len(self.shown) == 1 and not self.interrupted:
                self.interrupted = True
                raise InterruptError
            super().markdown(text)

    sink = InterruptErroringSink()
    handler = StreamingMarkdownHandler(sink, min_interval=0.0, clock=clock)
    handler.on_llm_new_token("one ")
    with pytest.raises(InterruptError):
        handler.on_llm_new_token("two")
    assert handler.text == "one two"
    handler.on_llm_error(InterruptError())
    assert sink.shown == ["one " + CURSOR, "one two"]


def test_the_handler_lets_sink_errors_propagate_through_langchain():
    assert StreamingMarkdownHandler.raise_error is True


def test_a_busy_process_redraws_each_answer_less_often_up_to_once_a_second():
    from chat_core.streaming import REDRAW_EVERY, redraw_interval

    assert redraw_interval(0) == redraw_interval(1) == redraw_interval(4) == REDRAW_EVERY
    intervals = [redraw_interval(n) for n in range(1, 200)]
    assert intervals == sorted(intervals)
    assert redraw_interval(50) == pytest.approx(0.5)
    assert max(intervals) == 1.0
