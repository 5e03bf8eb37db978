import pytest

from chat_core.answers.redraw_pace import CURSOR, RedrawThrottle


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
    throttle = RedrawThrottle(sink, min_interval=0.05, clock=clock)
    throttle.add("Hel")
    assert sink.shown == ["Hel" + CURSOR]


def test_tokens_within_the_interval_are_batched_then_flushed(clock):
    sink = RecordingSink()
    throttle = RedrawThrottle(sink, min_interval=0.5, clock=clock)
    throttle.add("a")
    for token in "bcde":
        clock.now += 0.125
        throttle.add(token)
    assert sink.shown == ["a" + CURSOR, "abcde" + CURSOR]  # at t=0.5, not before
    clock.now += 0.125
    throttle.add("f")
    throttle.finish()
    assert sink.shown[-1] == "abcdef"
    assert throttle.text == "abcdef"


def test_the_end_removes_the_cursor_even_when_every_token_was_drawn(clock):
    sink = RecordingSink()
    throttle = RedrawThrottle(sink, min_interval=0.0, clock=clock)
    for token in ["x", "y"]:
        throttle.add(token)
    throttle.finish()
    assert sink.shown == ["x" + CURSOR, "xy" + CURSOR, "xy"]


def test_redraws_at_1000_tokens_per_second_are_bounded_by_time(clock):
    sink = RecordingSink()
    throttle = RedrawThrottle(sink, min_interval=0.05, clock=clock)
    for _ in range(2048):
        throttle.add("tok ")
        clock.now += 1 / 1024
    throttle.finish()
    assert 40 <= len(sink.shown) <= 42  # 2 s of tokens / 50 ms, plus the first and last
    assert sink.shown[-1] == "tok " * 2048


def test_finish_is_idempotent_and_empty_tokens_are_ignored(clock):
    sink = RecordingSink()
    throttle = RedrawThrottle(sink, clock=clock)
    throttle.add("")
    assert sink.shown == [] and not throttle.has_started
    throttle.add("ok")
    throttle.finish()
    throttle.finish()
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
    throttle = RedrawThrottle(sink, min_interval=0.0, clock=clock)
    throttle.add("one ")
    with pytest.raises(InterruptError):
        throttle.add("two")
    assert throttle.text == "one two"
    throttle.finish()
    assert sink.shown == ["one " + CURSOR, "one two"]


def test_a_busy_process_redraws_each_answer_less_often_up_to_once_a_second():
    from chat_core.answers.redraw_pace import REDRAW_EVERY, redraw_interval

    assert redraw_interval(0) == redraw_interval(1) == redraw_interval(4) == REDRAW_EVERY
    intervals = [redraw_interval(n) for n in range(1, 200)]
    assert intervals == sorted(intervals)
    assert redraw_interval(50) == pytest.approx(0.5)
    assert max(intervals) == 1.0
