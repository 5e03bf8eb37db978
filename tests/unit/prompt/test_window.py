from chat_core.conversation.messages import ChatMessage, Status
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.prompt.window import exchanges, window


def conversation(n: int) -> list[ChatMessage]:
    history: list[ChatMessage] = []
    for i in range(1, n + 1):
        history += [ChatMessage.user(f"q{i}"), ChatMessage.assistant(f"a{i}")]
    return history


def contents(messages: list[ChatMessage]) -> list[str]:
    return [m.content for m in messages]


def test_window_keeps_the_last_k_exchanges_oldest_first():
    assert contents(window(conversation(5), 3)) == ["q3", "a3", "q4", "a4", "q5", "a5"]


def test_window_shorter_than_k_keeps_everything():
    assert contents(window(conversation(2), 3)) == ["q1", "a1", "q2", "a2"]


def test_window_of_zero_sends_no_history():
    assert window(conversation(4), 0) == []
    assert window(conversation(4), -1) == []


def test_failed_answers_are_not_fed_back_as_answers():
    failed = ChatMessage.assistant(
        "partial", status=Status.FAILED, error=UserFacingError(ErrorKind.SERVER)
    )
    history = [*conversation(2), ChatMessage.user("q3"), failed, *conversation(1)]
    assert contents(window(history, 3)) == ["q1", "a1", "q2", "a2", "q1", "a1"]


def test_a_stopped_answer_is_what_the_visitor_kept_and_counts():
    stopped = ChatMessage.assistant("half an ans", status=Status.STOPPED)
    history = [ChatMessage.user("q1"), stopped]
    assert contents(window(history, 3)) == ["q1", "half an ans"]


def test_an_empty_stopped_answer_and_an_unanswered_question_are_skipped():
    history = [
        ChatMessage.user("q1"),
        ChatMessage.assistant("", status=Status.STOPPED),
        ChatMessage.user("q2"),
        ChatMessage.user("q3"),
        ChatMessage.assistant("a3"),
    ]
    assert [(q.content, a.content) for q, a in exchanges(history)] == [("q3", "a3")]
