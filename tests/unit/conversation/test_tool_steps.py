"""A tool step as kept with the answer: its label, and reading it back bounded."""

from chat_core.conversation.message_codec import (
    SHARE,
    SHARE_WITH_FILES,
    STORE,
    message_dict,
    message_from,
)
from chat_core.conversation.messages import ChatMessage, Status
from chat_core.conversation.tool_steps import (
    RESULT_SHOWN_CHARS,
    Source,
    StepStatus,
    ToolStep,
    answer_messages,
    answer_sources,
    arguments_line,
    step_dict,
    step_from,
)
from chat_core.web.source_list import sources_markdown


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


def test_an_answer_with_steps_goes_back_to_the_model_as_calls_then_results_then_text():
    done = ToolStep("c1", "get_time", arguments={"tz": "UTC"}, status=StepStatus.DONE,
                    result="12:00", text_at=5, round=1)  # fmt: skip
    failed = ToolStep("", "lookup", arguments=None, raw_arguments="{bad", status=StepStatus.FAILED,
                      error="the arguments are not a JSON object", text_at=5, round=1)  # fmt: skip
    messages = answer_messages("Look.\n\nIt is noon.", (done, failed))
    call, first, second, rest = messages
    assert call.content == "Look." and [c["id"] for c in call.tool_calls] == ["c1", "call_1_1"]
    assert call.tool_calls[1]["args"] == {}  # sent as an object, its result says why
    assert (first.tool_call_id, first.content) == ("c1", "12:00")
    assert second.tool_call_id == "call_1_1" and second.content.startswith("Error: the arguments")
    assert rest.content == "It is noon."


def test_steps_round_trip_through_the_codec_and_a_share_leaves_results_out():
    step = ToolStep("c1", "get_time", server="time", arguments={"tz": "UTC"},
                    status=StepStatus.DONE, result="12:00", seconds=0.2, text_at=3)  # fmt: skip
    running = ToolStep("c2", "slow", status=StepStatus.RUNNING, round=2)
    answer = ChatMessage.assistant("Hi. Done.", steps=[step, running])
    assert message_from(message_dict(answer, STORE), STORE).steps == (step, running)
    shared = message_from(message_dict(answer, SHARE), SHARE).steps[0]
    assert (shared.name, shared.arguments, shared.result) == ("get_time", {"tz": "UTC"}, "")
    assert message_from(message_dict(answer, SHARE_WITH_FILES), SHARE_WITH_FILES).steps[0] == step
    streaming = ChatMessage.assistant("Hi.", status=Status.STREAMING, steps=[step, running])
    interrupted = message_from(message_dict(streaming, STORE), STORE)
    assert [s.status for s in interrupted.steps] == [StepStatus.DONE, StepStatus.SKIPPED]


def test_sources_come_back_checked_and_an_answer_lists_each_number_once():
    ramen = Source(1, "Ramen", "https://example.org/ramen")
    found = ToolStep("c1", "web_search", sources=(ramen, Source(2, "Soba", "http://soba.jp/")))
    read = ToolStep("c2", "fetch_page", sources=(ramen,))
    assert step_from(step_dict(found)) == found
    assert answer_sources((read, found)) == [ramen, Source(2, "Soba", "http://soba.jp/")]
    hostile = step_dict(ToolStep("c3", "web_search"))
    hostile["sources"] = [
        {"number": 3, "title": "x", "url": "javascript:alert(1)"},
        {"number": 0, "title": "no number", "url": "https://a.example/"},
        {"number": 4, "title": "", "url": "http://[::1"},
        {"number": 5, "title": "", "url": "https://www.example.com/p"},
        "not a source",
    ] + [{"number": 9, "url": "https://b.example/"}] * 50
    kept = step_from(hostile).sources
    assert kept[0] == Source(5, "www.example.com", "https://www.example.com/p")
    assert kept[0].site == "example.com" and len(kept) <= 20


def test_sources_in_markdown_are_links_that_cannot_be_anything_else():
    sources = [
        Source(1, "Ramen [best] *ever*", "https://example.org/a (b)<c>"),
        Source(2, "bad", "javascript:alert(1)"),
    ]
    (line,) = sources_markdown(sources).splitlines()
    title = "Ramen \\[best\\] \\*ever\\*"
    assert line == f"\\[1\\] [{title}](https://example.org/a%20%28b%29%3Cc%3E) · example.org"
