"""The message codec: what each use keeps of a message, what it leaves out, and the one
rule every reading side shares (an answer still streaming reads back as interrupted)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from chat_core.conversation import message_codec
from chat_core.conversation.message_codec import (
    EXPORT,
    IMPORT,
    SHARE,
    SHARE_WITH_FILES,
    STORE,
    error_from,
    feedback_from,
    file_dict,
    file_from,
    message_dict,
    message_from,
    thinking_from,
)
from chat_core.conversation.messages import ChatMessage, Feedback, Rating, Role, Status, Thinking
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.files.attachments import Attachment, AttachmentKind
from chat_core.transfer.import_files import read_import
from chat_core.usage.tokens import Usage

IMAGE = Attachment(
    name="cat.png", kind=AttachmentKind.IMAGE, mime_type="image/png", size=3, data=b"png"
)
NOTES = Attachment(
    name="メモ.md", kind=AttachmentKind.TEXT, mime_type="text/plain", size=6, text="メモ"
)
REFUSED = Attachment(
    name="tool.exe",
    kind=None,
    size=2,
    text="left over",
    problem=UserFacingError(ErrorKind.FILE_UNSUPPORTED, {"name": "tool.exe"}),
)
QUESTION = ChatMessage.user(
    "What is in these? 猫",
    attachments=(IMAGE, NOTES, REFUSED),
    error=UserFacingError(ErrorKind.ATTACHMENTS_REJECTED, {"count": "1"}),
)
ANSWER = ChatMessage.assistant(
    "A cat.",
    error=UserFacingError(ErrorKind.LENGTH_LIMIT, {"max_tokens": "512"}),
    usage=Usage(120, 48, "gpt-5.4-mini", estimated=True, reasoning_tokens=16),
    feedback=Feedback(Rating.DOWN, "private comment"),
    thinking=Thinking("写真を見ると…", 3.5, ended=True),
)
WRITING = ChatMessage.assistant(
    "half", status=Status.STREAMING, thinking=Thinking("t", None, False)
)


def _imported(message: dict) -> list[ChatMessage]:
    """The messages an import reads from an export holding ``message``: none when it
    refuses the conversation (skipped) for a value of the wrong shape."""
    result = read_import(json.dumps({"title": "t", "messages": [message]}).encode())
    return [node.message for c in result.conversations for node in c.nodes]


def _through_json(data: dict) -> dict:
    """What a JSON file or column hands back: the bytes of a STORE dict are a column's."""
    return json.loads(json.dumps(data, ensure_ascii=False))


# A round trip per policy -----------------------------------------------------------------


@pytest.mark.parametrize("message", [QUESTION, ANSWER])
def test_the_store_keeps_a_message_whole(message):
    assert message_from(message_dict(message, STORE), STORE) == message


def test_an_export_read_back_by_an_import_keeps_all_but_an_images_bytes():
    question = message_from(_through_json(message_dict(QUESTION, EXPORT)), IMPORT)
    image, notes, refused = question.attachments
    assert (image.data, image.problem) == (
        b"",
        UserFacingError(ErrorKind.FILE_NOT_IMPORTED, {"name": "cat.png"}),
    )
    assert replace(image, problem=None, data=b"png") == IMAGE
    assert (notes, refused) == (NOTES, REFUSED)
    assert question.error == QUESTION.error
    assert message_from(_through_json(message_dict(ANSWER, EXPORT)), IMPORT) == ANSWER


def test_a_share_with_files_keeps_the_messages_and_their_files_not_the_owner():
    question = message_from(
        _through_json(message_dict(QUESTION, SHARE_WITH_FILES)), SHARE_WITH_FILES
    )
    answer = message_from(_through_json(message_dict(ANSWER, SHARE_WITH_FILES)), SHARE_WITH_FILES)
    image, notes, refused = question.attachments
    assert (image, notes) == (IMAGE, NOTES)  # the bytes through base64
    assert refused == replace(REFUSED, text="", problem=UserFacingError(ErrorKind.FILE_UNSUPPORTED))
    assert (answer.content, answer.thinking) == (ANSWER.content, ANSWER.thinking)


def test_a_share_link_is_read_with_files_whichever_way_it_was_written():
    """The reader does not know whether files were included: the written dict says."""
    named = message_from(message_dict(QUESTION, SHARE), SHARE_WITH_FILES)
    whole = message_from(message_dict(QUESTION, SHARE_WITH_FILES), SHARE_WITH_FILES)
    assert [a.problem and a.problem.kind for a in named.attachments] == [
        ErrorKind.FILE_NOT_SHARED,
        ErrorKind.FILE_NOT_SHARED,
        ErrorKind.FILE_UNSUPPORTED,
    ]
    assert whole.attachments[0].data == b"png"


# What each policy leaves out -----------------------------------------------------------


def test_the_store_keeps_bytes_as_bytes_and_an_export_never_writes_them():
    stored, exported = file_dict(IMAGE, STORE), file_dict(IMAGE, EXPORT)
    assert stored["data"] == b"png" and "data" not in exported
    assert "text" in file_dict(IMAGE, STORE) and "text" not in exported  # empty: left out
    assert file_dict(NOTES, EXPORT)["text"] == "メモ"


def test_a_share_leaves_out_usage_feedback_and_an_errors_details():
    shared = message_dict(ANSWER, SHARE)
    assert "usage" not in shared and "feedback" not in shared
    assert shared["error"] == {"kind": "length_limit"}
    assert "private comment" not in json.dumps(shared) and "512" not in json.dumps(shared)
    answer = message_from(shared, SHARE_WITH_FILES)
    assert (answer.usage, answer.feedback, answer.error.details) == (None, None, {})


def test_a_share_without_files_names_them_only():
    files = message_dict(QUESTION, SHARE)["attachments"]
    assert all(set(f) <= {"name", "kind", "mime_type", "size", "problem"} for f in files)
    image, notes, refused = message_from(
        message_dict(QUESTION, SHARE), SHARE_WITH_FILES
    ).attachments
    assert image.problem == UserFacingError(ErrorKind.FILE_NOT_SHARED, {"name": "cat.png"})
    assert notes.problem.kind is ErrorKind.FILE_NOT_SHARED and notes.text == ""
    assert refused.problem.kind is ErrorKind.FILE_UNSUPPORTED  # as it was when sent


def test_a_refused_file_is_shared_named_only_even_with_files():
    assert "text" not in file_dict(REFUSED, SHARE_WITH_FILES)
    assert file_dict(REFUSED, EXPORT)["text"] == "left over"  # an export keeps it


def test_the_store_and_export_keep_usage_and_feedback():
    for policy in (STORE, EXPORT):
        written = message_dict(ANSWER, policy)
        assert written["usage"]["reasoning_tokens"] == 16
        assert written["feedback"] == {"rating": "down", "comment": "private comment"}


def test_a_message_id_is_never_written_and_a_message_read_back_gets_a_new_one():
    for policy in (STORE, EXPORT, SHARE, SHARE_WITH_FILES):
        assert "id" not in message_dict(ANSWER, policy)
    assert message_from(message_dict(ANSWER, STORE), STORE).id != ANSWER.id


def test_an_export_keeps_its_field_order():
    """An exported file is read by people too: the order they have always seen."""
    assert list(message_dict(ANSWER, EXPORT)) == [
        "role",
        "content",
        "status",
        "error",
        "usage",
        "feedback",
        "thinking",
    ]
    assert list(file_dict(NOTES, EXPORT)) == ["name", "kind", "mime_type", "size", "text"]


# Still streaming ------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [STORE, IMPORT, SHARE_WITH_FILES])
def test_an_answer_still_streaming_reads_back_as_interrupted(policy):
    written = message_dict(replace(WRITING, usage=Usage(1, 2, "m")), policy)
    written["feedback"] = {"rating": "up", "comment": ""}
    answer = message_from(written, policy)
    assert answer == ChatMessage.assistant(
        "half",
        status=Status.FAILED,
        error=UserFacingError(ErrorKind.INTERRUPTED),
        thinking=WRITING.thinking,
    )


def test_an_answer_being_written_now_reads_back_as_streaming():
    answer = message_from(message_dict(WRITING, STORE), STORE, still_written=True)
    assert answer == WRITING


def test_an_interrupted_answers_other_fields_are_never_read():
    """Its usage, error and files are dropped unread (an import never checks them)."""
    written = {"role": "assistant", "content": "x", "status": "streaming", "usage": "junk"}
    (answer,) = _imported(written)
    assert answer.error.kind is ErrorKind.INTERRUPTED


# Values read back ---------------------------------------------------------------------


def test_an_unknown_error_kind_reads_as_unknown_and_no_error_as_none():
    assert error_from({"kind": "from_a_later_version"}).kind is ErrorKind.UNKNOWN
    assert error_from({"details": {}}).kind is ErrorKind.UNKNOWN
    assert error_from(None) is None and error_from({}) is None


def test_feedback_and_thinking_of_an_unknown_shape_read_as_none():
    assert feedback_from({"rating": "sideways"}) is None and feedback_from(None) is None
    assert thinking_from({"text": ""}) is None and thinking_from("text") is None
    assert thinking_from({"text": "t", "seconds": "5"}) == Thinking("t", None, True)


def test_an_unknown_file_kind_reads_as_none_and_bad_base64_as_unreadable():
    assert file_from({"name": "a", "kind": "hologram", "text": ""}, SHARE).kind is None
    broken = file_from({"name": "a", "kind": "image", "text": "", "data": "**"}, SHARE_WITH_FILES)
    assert broken.problem.kind is ErrorKind.FILE_UNREADABLE and broken.data == b""


def test_an_unknown_role_or_status_is_refused():
    with pytest.raises(ValueError):
        message_from({"role": "system", "content": "x"}, STORE)
    with pytest.raises(ValueError):
        message_from({"role": "user", "content": "x", "status": "pondering"}, STORE)
    assert message_from({"role": "user"}, STORE) == ChatMessage(role=Role.USER, content="")


# Bad values, refused the way an import refuses them ----------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"role": "system"},
        {"status": None},
        {"content": 5},
        {"thinking": "thoughts"},
        {"usage": {"input_tokens": "many"}},
        {"error": {"kind": 3}},
        {"error": {"kind": "server", "details": {"host": 5}}},
        {"attachments": {}},
        {"attachments": ["cat.png"]},
        {"attachments": [{"name": "a", "kind": "hologram"}]},
        {"feedback": {"rating": True}},
    ],
)
def test_an_imported_message_of_the_wrong_shape_is_refused(bad):
    assert _imported({"role": "user", "content": "x"}) != []
    assert _imported({"role": "user", "content": "x"} | bad) == []


def test_an_imported_message_is_bounded_and_cleaned():
    long = {f"key{n}": "v" * 500 for n in range(20)}
    (message,) = _imported(
        {
            "role": "assistant",
            "content": "x\x00",
            "error": {"kind": "server", "details": long},
            "feedback": {"rating": "down", "comment": "c" * 5000},
            "attachments": [{"name": "a\u200b.md", "kind": "text", "size": -4}],
        }
    )
    assert message.content == "x\ufffd"  # storable in every database
    assert len(message.error.details) == 8 and all(
        len(v) == 200 for v in message.error.details.values()
    )
    assert len(message.feedback.comment) < 5000
    (file,) = message.attachments
    assert (file.name, file.size) == ("a.md", 0)  # no invisible character; no size at all


def test_policies_are_records_one_per_use():
    assert IMPORT is EXPORT  # an import reads what an export wrote
    assert {p.left_out for p in (STORE, EXPORT, SHARE)} == set(message_codec.LeftOut)
