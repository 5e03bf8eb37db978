"""A tool step as kept with the answer: its label, and reading it back bounded."""

from chat_core.conversation.tool_steps import (
    RESULT_SHOWN_CHARS,
    StepStatus,
    ToolStep,
    arguments_line,
    step_dict,
    step_from,
)


def test_the_label_gives_the_arguments_in_one_short_line():
    step = ToolStep("c1", "get_current_time", arguments={"timezone": "Asia/Tokyo", "n": 2})
    assert arguments_line(step) == "timezone: Asia/Tokyo, n: 2"
    long = ToolStep("c2", "search", arguments={"query": "東京 " * 40})
    assert arguments_line(long).endswith("…") and len(arguments_line(long)) < 80
    assert arguments_line(ToolStep("c3", "x", raw_arguments="not\njson")) == "not json"


def test_a_step_goes_and_comes_back_whole():
    step = ToolStep("c1", "get_current_time", server="time", arguments={"timezone": "UTC"})
    done = step.ended(StepStatus.DONE, result="12:00", seconds=0.25)
    assert step_from(step_dict(done)) == done


def test_what_is_read_back_is_bounded_and_what_is_not_a_step_is_dropped():
    assert step_from({"status": "done"}) is None
    assert step_from("a step") is None
    read = step_from(
        {
            "name": "n" * 1_000,
            "status": "exploded",
            "result": "r" * 100_000,
            "arguments": {"big": "x" * 100_000},
            "seconds": -3,
            "cut": "yes",
        }
    )
    assert len(read.name) == 128 and read.status is StepStatus.FAILED
    assert len(read.result) == RESULT_SHOWN_CHARS and read.arguments is None
    assert read.seconds is None and read.cut is False
