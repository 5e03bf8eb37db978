"""Shared links: what a snapshot holds, and who may read, list and revoke a link."""

from __future__ import annotations

import uuid

import pytest

from chat_core.conversation.messages import ChatMessage, Feedback, Rating, Status
from chat_core.errors import ErrorKind
from chat_core.storage import shares
from chat_core.transfer import share_snapshot as sharing
from chat_core.transfer.share_snapshot import SnapshotTooLarge, new_token, read_snapshot, snapshot
from chat_core.usage.tokens import Usage
from tests.unit.storage.test_storage import _files

CONVERSATION = [
    ChatMessage.user("What is in these? 猫", attachments=_files()),
    ChatMessage.assistant(
        "A cat.",
        usage=Usage(10, 3, "m"),
        feedback=Feedback(Rating.DOWN, "private comment"),
    ),
]


def test_a_snapshot_holds_the_messages_and_nothing_of_the_owner():
    shot = snapshot(CONVERSATION, include_files=False)
    text = str(shot)
    assert "private comment" not in text and "input_tokens" not in text
    question, answer = read_snapshot(shot)
    assert (question.content, answer.content) == ("What is in these? 猫", "A cat.")
    assert answer.feedback is None and answer.usage is None
    image, notes, refused = question.attachments
    assert image.data == b"" and notes.text == ""  # names only: the files stay the owner's
    assert image.problem.kind is ErrorKind.FILE_NOT_SHARED
    assert refused.problem.kind is ErrorKind.FILE_UNSUPPORTED  # as it was when sent


def test_files_are_in_it_only_when_the_owner_includes_them():
    question, _ = read_snapshot(snapshot(CONVERSATION, include_files=True))
    image, notes, _ = question.attachments
    assert image.data == CONVERSATION[0].attachments[0].data and image.sent
    assert notes.text == "メモ: *keep*"


def test_a_snapshot_is_bounded(monkeypatch):
    monkeypatch.setattr(sharing, "SNAPSHOT_LIMIT_BYTES", 200)
    with pytest.raises(SnapshotTooLarge):
        snapshot(CONVERSATION, include_files=True)


def test_tokens_are_long_and_random():
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(token) >= 32 for token in tokens)


def _share(store, owner: str, conversation_id: str) -> str:
    token = new_token()
    shares.create_share(
        store.engine,
        owner,
        token=token,
        conversation_id=conversation_id,
        title="Cats",
        snapshot=snapshot(CONVERSATION, include_files=False),
        with_files=False,
    )
    return token


def test_a_link_is_read_by_anyone_until_its_owner_revokes_it(store, owner):
    cid = store.create(owner, title="Cats", settings={})
    token = _share(store, owner, cid)
    seen = shares.shared(store.engine, token)
    assert seen.title == "Cats" and len(read_snapshot(seen.snapshot)) == 2
    assert shares.shared(store.engine, new_token()) is None  # unknown: nothing

    stranger = f"other-{uuid.uuid4()}"
    assert shares.list_shares(store.engine, stranger) == []  # foreign: not listed
    assert not shares.revoke_share(store.engine, stranger, token)  # nor revoked
    assert shares.shared(store.engine, token) is not None

    assert [link.token for link in shares.list_shares(store.engine, owner, cid)] == [token]
    assert shares.revoke_share(store.engine, owner, token)
    assert shares.shared(store.engine, token) is None  # revoked: as if unknown
    assert shares.list_shares(store.engine, owner) == []


def test_deleting_a_conversation_takes_its_links(store, owner):
    cid = store.create(owner, title="Cats", settings={})
    store.put_message(cid, owner, 0, ChatMessage.user("q", status=Status.COMPLETE))
    token = _share(store, owner, cid)
    store.delete(cid, owner)
    assert shares.shared(store.engine, token) is None


def test_an_error_is_shared_by_its_kind_and_an_answer_being_written_as_cut_off():
    from chat_core.errors import UserFacingError

    refused = ChatMessage.user(
        "q",
        status=Status.FAILED,
        error=UserFacingError(ErrorKind.TOKENS_PER_DAY, {"limit": "5,000", "left": "12"}),
    )
    writing = ChatMessage.assistant("half", status=Status.STREAMING)
    shot = snapshot([refused, writing], include_files=False)
    assert "5,000" not in str(shot) and "left" not in str(shot)  # not the owner's limits
    question, answer = read_snapshot(shot)
    assert question.error.kind is ErrorKind.TOKENS_PER_DAY
    assert (answer.status, answer.error.kind) == (Status.FAILED, ErrorKind.INTERRUPTED)
