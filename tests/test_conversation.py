"""The rules of a conversation, without Streamlit, saving through a recording double."""

from __future__ import annotations

from dataclasses import dataclass, field

from chat_core.attachments import Attachment, AttachmentKind
from chat_core.conversation import COMMENT_LENGTH, Conversation, ConversationRecord
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.messages import ChatMessage, Feedback, Rating, Status
from chat_core.settings import Settings

SETTINGS = Settings(model="m")


@dataclass
class RecordingSaver:
    """Keeps what a store would hold, and can be told to fail."""

    saved: dict[str, list[ChatMessage]] = field(default_factory=dict)
    settings: dict[str, Settings] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    failing: bool = False

    def start(self, title: str, settings: Settings) -> str | None:
        if self.failing:
            return None
        conversation_id = f"c{len(self.saved) + 1}"
        self.saved[conversation_id], self.titles[conversation_id] = [], title
        self.settings[conversation_id] = settings
        return conversation_id

    def put(self, conversation_id: str, position: int, message: ChatMessage) -> bool:
        if self.failing:
            return False
        messages = self.saved[conversation_id]
        if position == len(messages):
            messages.append(message)
        else:
            messages[position] = message
        return True

    def truncate(self, conversation_id: str, length: int) -> bool:
        if self.failing:
            return False
        del self.saved[conversation_id][length:]
        return True

    def save_settings(self, conversation_id: str, settings: Settings) -> bool:
        self.settings[conversation_id] = settings
        return not self.failing


def turn(conversation: Conversation, question: str, answer: str) -> None:
    asked = ChatMessage.user(question)
    conversation.begin_turn(asked, SETTINGS)
    conversation.add(asked)
    conversation.add(ChatMessage.assistant(answer))


def contents(messages: list[ChatMessage]) -> list[str]:
    return [m.content for m in messages]


def test_each_message_is_saved_as_it_is_added():
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "q1", "a1")
    turn(conversation, "q2", "a2")
    assert conversation.id == "c1" and saver.titles["c1"] == "q1"
    assert contents(saver.saved["c1"]) == ["q1", "a1", "q2", "a2"]
    assert not conversation.storage_failed


def test_without_a_saver_nothing_is_saved_and_nothing_fails():
    conversation = Conversation(ConversationRecord())
    turn(conversation, "q1", "a1")
    assert conversation.id is None and not conversation.storage_failed
    assert contents(conversation.messages) == ["q1", "a1"]


def test_a_conversation_created_late_starts_with_what_came_first():
    saver = RecordingSaver(failing=True)
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "first", "a1")
    assert conversation.storage_failed and conversation.id is None
    saver.failing = False
    turn(conversation, "second", "a2")
    assert saver.titles[conversation.id] == "first"
    assert contents(saver.saved[conversation.id]) == ["first", "a1", "second", "a2"]


def test_an_answer_written_by_a_job_is_awaited_then_received_in_place():
    """The page takes the job's answer where it belongs, over a partial one it loaded."""
    conversation = Conversation(ConversationRecord())
    asked = ChatMessage.user("q")
    conversation.add(asked)
    assert conversation.awaits(1) and not conversation.awaits(0)
    conversation.add(ChatMessage.assistant("par", status=Status.STREAMING))  # loaded mid-answer
    assert conversation.awaits(1)
    conversation.receive(1, ChatMessage.assistant("partial answer, whole"))
    assert contents(conversation.messages) == ["q", "partial answer, whole"]
    assert not conversation.awaits(1)  # on the page already
    conversation.retry_last()
    assert not conversation.awaits(1)  # the conversation moved on


def test_retry_drops_the_last_turn_and_asks_its_question_again_with_sendable_files():
    good = Attachment(
        name="a.txt", kind=AttachmentKind.TEXT, mime_type="text/plain", size=1, text="x"
    )
    bad = Attachment(
        name="b.exe",
        kind=None,
        mime_type="application/octet-stream",
        size=1,
        problem=UserFacingError(ErrorKind.FILE_UNSUPPORTED),
    )
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "q1", "a1")
    asked = ChatMessage.user("q2", attachments=[good, bad])
    conversation.begin_turn(asked, SETTINGS)
    conversation.add(asked)
    conversation.add(ChatMessage.assistant("", status=Status.FAILED))
    again = conversation.retry_last()
    assert again.content == "q2" and again.attachments == (good,)
    assert contents(conversation.messages) == ["q1", "a1"] == contents(saver.saved["c1"])
    assert Conversation(ConversationRecord()).retry_last() is None


def test_an_edit_replaces_the_last_question_unless_nothing_would_be_sent():
    conversation = Conversation(ConversationRecord())
    turn(conversation, "one", "a1")
    turn(conversation, "tow", "a2")
    assert conversation.edit_last("") is None  # nothing to send: the turn stays
    assert contents(conversation.messages) == ["one", "a1", "tow", "a2"]
    edited = conversation.edit_last("two")
    assert edited.content == "two" and contents(conversation.messages) == ["one", "a1"]


def test_a_failed_answer_can_be_kept_for_the_model_to_see():
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "q", "a")
    conversation.keep_partial_answer()  # a complete answer is left alone
    assert conversation.messages[-1].status is Status.COMPLETE
    conversation.add(ChatMessage.assistant("part", status=Status.FAILED))
    conversation.keep_partial_answer()
    assert conversation.messages[-1].status is Status.KEPT
    assert saver.saved["c1"][-1].status is Status.KEPT


def test_ratings_and_comments_follow_the_thumbs():
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "q", "a")
    answer_id = conversation.messages[-1].id
    conversation.rate(answer_id, Rating.DOWN)
    conversation.comment(answer_id, "x" * (COMMENT_LENGTH + 10))
    assert conversation.messages[-1].feedback == Feedback(Rating.DOWN, "x" * COMMENT_LENGTH)
    conversation.rate(answer_id, Rating.DOWN)  # the same thumbs again keeps the comment
    assert conversation.messages[-1].feedback.comment
    conversation.rate(answer_id, Rating.UP)  # a thumbs up has no comment
    assert conversation.messages[-1].feedback == Feedback(Rating.UP, "")
    conversation.rate(answer_id, None)
    assert conversation.messages[-1].feedback is None == saver.saved["c1"][-1].feedback
    conversation.rate("no-such-message", Rating.UP)  # nothing happens


def test_resume_and_restart_replace_the_conversation():
    record = ConversationRecord(storage_failed=True)
    conversation = Conversation(record, RecordingSaver())
    conversation.resume("stored-1", [ChatMessage.user("old")])
    assert (record.id, contents(record.messages), record.storage_failed) == (
        "stored-1",
        ["old"],
        False,
    )
    conversation.restart()
    assert (record.id, record.messages) == (None, [])


def test_a_failed_save_is_reported_not_raised():
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "q", "a")
    saver.failing = True
    conversation.add(ChatMessage.user("lost"))
    assert conversation.storage_failed
    assert contents(conversation.messages)[-1] == "lost"
