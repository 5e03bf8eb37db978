"""The rules of a conversation, without Streamlit, saving through a recording double."""

from __future__ import annotations

from dataclasses import dataclass, field

from chat_core.conversation.conversation import COMMENT_LENGTH, Conversation, ConversationRecord
from chat_core.conversation.messages import ChatMessage, Feedback, Rating, Status
from chat_core.conversation.versions import MessageTree
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.files.attachments import Attachment, AttachmentKind
from chat_core.settings.settings import Settings

SETTINGS = Settings(model="m")


@dataclass
class RecordingSaver:
    """Keeps what a store would hold (every version, and the branch shown), and can be
    told to fail."""

    stored: dict[str, dict[int, tuple[int | None, ChatMessage]]] = field(default_factory=dict)
    current: dict[str, int | None] = field(default_factory=dict)
    settings: dict[str, Settings] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    failing: bool = False

    def start(self, title: str, settings: Settings, project_id: str | None = None) -> str | None:
        if self.failing:
            return None
        conversation_id = f"c{len(self.stored) + 1}"
        self.stored[conversation_id], self.titles[conversation_id] = {}, title
        self.settings[conversation_id], self.current[conversation_id] = settings, None
        return conversation_id

    def put(
        self,
        conversation_id: str,
        number: int,
        parent: int | None,
        message: ChatMessage,
        *,
        new: bool = False,
    ) -> int | None:
        if self.failing:
            return None
        stored = self.stored[conversation_id]
        if new and number in stored:  # another tab's: kept, this one takes the next
            number = max(stored) + 1
        if number not in stored:
            self.current[conversation_id] = number  # a new message is shown
        stored[number] = (parent, message)
        return number

    def remove(self, conversation_id: str, number: int) -> bool:
        if self.failing:
            return False
        parent, _ = self.stored[conversation_id].pop(number)
        if self.current[conversation_id] == number:
            self.current[conversation_id] = parent
        return True

    def select(self, conversation_id: str, number: int) -> bool:
        self.current[conversation_id] = number
        return not self.failing

    def save_settings(self, conversation_id: str, settings: Settings) -> bool:
        self.settings[conversation_id] = settings
        return not self.failing

    def branch(self, conversation_id: str) -> list[ChatMessage]:
        """What a page opening the stored conversation would show."""
        messages, number = [], self.current[conversation_id]
        while number is not None:
            parent, message = self.stored[conversation_id][number]
            messages.append(message)
            number = parent
        return messages[::-1]


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
    assert contents(saver.branch("c1")) == ["q1", "a1", "q2", "a2"]
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
    assert contents(saver.branch(conversation.id)) == ["first", "a1", "second", "a2"]


def test_an_answer_written_by_a_job_is_awaited_then_received_in_place():
    """The page takes the job's answer where it belongs, over a partial one it loaded."""
    conversation = Conversation(ConversationRecord())
    conversation.add(ChatMessage.user("q"))
    assert conversation.awaits(1, 0) and not conversation.awaits(1, 5)
    conversation.add(ChatMessage.assistant("par", status=Status.STREAMING))  # loaded mid-answer
    assert conversation.awaits(1, 0)
    assert conversation.awaits(1, 0)  # on every run while it is followed (Stop, a thumb)
    conversation.receive(1, 0, ChatMessage.assistant("partial answer, whole"))
    assert contents(conversation.messages) == ["q", "partial answer, whole"]
    assert len(conversation.tree) == 2  # in place, not a second version
    assert not conversation.awaits(1, 0)  # on the page already
    conversation.regenerate(1)
    assert not conversation.awaits(1, 0)  # asked again: not that answer, another one
    assert conversation.awaits(2, 0)


def _file(name: str, *, sent: bool = True) -> Attachment:
    if sent:
        return Attachment(
            name=name, kind=AttachmentKind.TEXT, mime_type="text/plain", size=1, text="x"
        )
    return Attachment(
        name=name,
        kind=None,
        mime_type="application/octet-stream",
        size=1,
        problem=UserFacingError(ErrorKind.FILE_UNSUPPORTED),
    )


def test_regenerate_keeps_the_earlier_answer_as_a_version():
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "q1", "a1")
    turn(conversation, "q2", "first take")
    assert conversation.regenerate(3)
    assert contents(conversation.messages) == ["q1", "a1", "q2"]  # ready to answer again
    assert conversation.unanswered().content == "q2"
    conversation.add(ChatMessage.assistant("second take"))
    assert contents(conversation.messages) == ["q1", "a1", "q2", "second take"]
    assert conversation.versions(4).count == 2 and conversation.versions(4).index == 1
    assert contents(saver.branch("c1")) == ["q1", "a1", "q2", "second take"]
    conversation.switch(4, -1)
    assert contents(conversation.messages)[-1] == "first take"
    assert contents(saver.branch("c1"))[-1] == "first take"  # a refresh shows it too
    conversation.switch(3, -1)  # past the first version: nothing moves
    assert contents(conversation.messages)[-1] == "first take"
    assert not conversation.regenerate(0)  # a question is not regenerated


def test_a_failed_try_with_nothing_in_it_is_not_kept_as_a_version():
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "q1", "a1")
    asked = ChatMessage.user("q2", attachments=[_file("a.txt"), _file("b.exe", sent=False)])
    conversation.add(asked)
    conversation.add(ChatMessage.assistant("", status=Status.FAILED))
    assert conversation.regenerate(3)
    assert contents(conversation.messages) == ["q1", "a1", "q2"] == contents(saver.branch("c1"))
    assert len(conversation.tree) == 3
    # a failed answer with some text in it is kept, as a version
    conversation.add(ChatMessage.assistant("half", status=Status.FAILED))
    conversation.regenerate(4)
    assert conversation.tree.children(2) == [4]


def test_editing_an_earlier_question_makes_a_branch_and_the_old_one_stays():
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "one", "a1")
    turn(conversation, "tow", "a2")
    turn(conversation, "three", "a3")
    assert conversation.edit(2, "", ()) is None  # nothing to send: nothing changes
    assert contents(conversation.messages) == ["one", "a1", "tow", "a2", "three", "a3"]
    edited = conversation.edit(2, "two", ())
    assert edited.content == "two"
    assert contents(conversation.messages) == ["one", "a1", "two"]
    conversation.add(ChatMessage.assistant("a2 again"))
    assert conversation.versions(6).count == 2
    conversation.switch(6, -1)  # the old question, and everything that followed it
    assert contents(conversation.messages) == ["one", "a1", "tow", "a2", "three", "a3"]
    conversation.switch(2, 1)
    assert contents(conversation.messages) == ["one", "a1", "two", "a2 again"]
    assert contents(saver.branch("c1")) == ["one", "a1", "two", "a2 again"]


def test_an_edit_keeps_only_the_files_chosen_that_can_be_sent():
    conversation = Conversation(ConversationRecord())
    kept, dropped, refused = _file("a.txt"), _file("b.txt"), _file("c.exe", sent=False)
    conversation.add(ChatMessage.user("see files", attachments=[kept, dropped, refused]))
    edited = conversation.edit(0, "", (kept, refused))
    assert edited.attachments == (kept,)  # text may go, a file alone is enough
    conversation.add(ChatMessage.assistant("answer"))
    assert conversation.edit(conversation.numbers[-1], "x", ()) is None  # not a question


def test_a_refused_question_is_marked_or_answered_with_the_refusal():
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    refusal = UserFacingError(ErrorKind.TOO_MANY_ANSWERS, {"limit": "2"})
    turn(conversation, "q1", "a1")
    conversation.add(ChatMessage.user("new"))
    conversation.refuse(refusal)  # a new question is marked where it stands
    assert conversation.messages[-1].status is Status.FAILED
    assert saver.branch("c1")[-1].error == refusal
    conversation.edit(2, "new, edited", ())  # a refused one is replaced, not kept
    assert contents(conversation.messages) == ["q1", "a1", "new, edited"]
    assert conversation.versions(conversation.numbers[-1]).count == 1
    conversation.regenerate(1)  # asked again, and refused: a failed answer, a version
    conversation.refuse(refusal)
    assert contents(conversation.messages) == ["q1", ""]
    assert conversation.messages[-1].status is Status.FAILED
    assert conversation.versions(conversation.numbers[-1]).count == 2


def test_a_failed_answer_can_be_kept_for_the_model_to_see():
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "q", "a")
    conversation.keep_partial_answer()  # a complete answer is left alone
    assert conversation.messages[-1].status is Status.COMPLETE
    conversation.add(ChatMessage.assistant("part", status=Status.FAILED))
    conversation.keep_partial_answer()
    assert conversation.messages[-1].status is Status.KEPT
    assert saver.branch("c1")[-1].status is Status.KEPT


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
    assert conversation.messages[-1].feedback is None == saver.branch("c1")[-1].feedback
    conversation.rate("no-such-message", Rating.UP)  # nothing happens


def test_resume_and_restart_replace_the_conversation():
    record = ConversationRecord(storage_failed=True)
    conversation = Conversation(record, RecordingSaver())
    tree = MessageTree.chain([ChatMessage.user("old"), ChatMessage.assistant("reply")])
    tree.add(ChatMessage.assistant("other reply"), 0)
    conversation.resume("stored-1", tree, 1)
    assert (record.id, contents(record.messages), record.storage_failed) == (
        "stored-1",
        ["old", "reply"],
        False,
    )
    conversation.restart()
    assert (record.id, record.messages, len(record.tree)) == (None, [], 0)


def test_a_number_another_tab_took_is_given_up_for_the_next_one():
    saver = RecordingSaver()
    mine = Conversation(ConversationRecord(), saver)
    turn(mine, "q", "a")
    other_tab = Conversation(ConversationRecord(), saver)
    other_tab.resume("c1", MessageTree.chain(mine.messages), 1)
    other_tab.add(ChatMessage.user("from the other tab"))  # takes number 2
    mine.add(ChatMessage.user("from this tab"))  # number 2 is taken: stored as 3
    assert mine.numbers == [0, 1, 3] and 2 not in mine.tree
    mine.rate(mine.messages[1].id, Rating.UP)  # later saves go to its own number
    assert saver.stored["c1"][2][1].content == "from the other tab"
    assert saver.stored["c1"][3][1].content == "from this tab"


def test_a_failed_save_is_reported_not_raised():
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "q", "a")
    saver.failing = True
    conversation.add(ChatMessage.user("lost"))
    assert conversation.storage_failed
    assert contents(conversation.messages)[-1] == "lost"


def test_a_conversation_read_from_the_store_knows_when():
    import time

    before = time.monotonic()
    conversation = Conversation(ConversationRecord())
    assert not conversation.loaded_since(before)  # never read: a job of this page is its own
    conversation.resume("c1", MessageTree.chain([ChatMessage.user("q")]), 0)
    assert conversation.loaded_since(before) and not conversation.loaded_since(time.monotonic())


def test_a_message_not_saved_is_saved_again_after_its_parent_and_counted_meanwhile():
    saver = RecordingSaver()
    conversation = Conversation(ConversationRecord(), saver)
    turn(conversation, "q1", "a1")
    saver.failing = True
    turn(conversation, "q2", "a2")
    assert conversation.unsaved == 2 and conversation.storage_failed
    assert contents(saver.branch("c1")) == ["q1", "a1"]
    saver.failing = False
    conversation.rate(conversation.messages[1].id, Rating.UP)  # any later save retries
    assert conversation.unsaved == 0 and not conversation.storage_failed
    assert contents(saver.branch("c1")) == ["q1", "a1", "q2", "a2"]
    assert saver.stored["c1"][1][1].feedback == Feedback(Rating.UP, "")
