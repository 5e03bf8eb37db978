"""Importing conversation files: the app's own export round-trips, ChatGPT's tree is kept,
and any bytes at all give a result or a refusal."""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chat_core.conversation.imported import ImportedConversation
from chat_core.conversation.messages import ChatMessage, Feedback, Rating, Role, Status, Thinking
from chat_core.conversation.tool_steps import Source, StepStatus
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.files.attachments import Attachment, AttachmentKind
from chat_core.storage.store import StoredConversation
from chat_core.transfer.exports import export_json
from chat_core.transfer.import_files import (
    IMAGE_PLACEHOLDER,
    IMPORT_LIMIT_BYTES,
    MERGE_SEPARATOR,
    REFUSALS,
    ImportRefused,
    ImportResult,
    read_import,
)
from chat_core.usage.tokens import Usage
from tests.support.app_server import ROOT

# The app's own export ---------------------------------------------------------------


def _attachments() -> list[Attachment]:
    too_large = UserFacingError(ErrorKind.FILE_TOO_LARGE, {"name": "big.png", "size": "11 MB"})
    unsupported = UserFacingError(ErrorKind.FILE_UNSUPPORTED, {"name": "tool.exe"})
    return [
        Attachment(
            name="cat.png", kind=AttachmentKind.IMAGE, mime_type="image/png", size=3, data=b"png"
        ),
        Attachment(name="big.png", kind=AttachmentKind.IMAGE, size=11_000_000, problem=too_large),
        Attachment(
            name="メモ.md", kind=AttachmentKind.TEXT, mime_type="text/plain", size=9, text="メモ"
        ),
        Attachment(
            name="a.pdf", kind=AttachmentKind.PDF, mime_type="application/pdf", size=9, text="p1"
        ),
        Attachment(name="tool.exe", kind=None, size=4, problem=unsupported),
    ]


def _stored_messages() -> list[ChatMessage]:
    rejected = UserFacingError(ErrorKind.ATTACHMENTS_REJECTED, {"count": "2"})
    return [
        ChatMessage.user("猫の写真です", attachments=_attachments(), error=rejected),
        ChatMessage.assistant(
            "かわいい猫ですね。",
            usage=Usage(120, 48, "gpt-5.4-mini", estimated=True, reasoning_tokens=16),
            feedback=Feedback(Rating.DOWN, "犬です"),
            thinking=Thinking("写真を見ると…", 3.5),
        ),
        ChatMessage.user("Tell me more"),
        ChatMessage.assistant(
            "Cut here",
            usage=Usage(10, 512, "gpt-5.4-mini"),
            error=UserFacingError(ErrorKind.LENGTH_LIMIT, {"max_tokens": "512"}),
            feedback=Feedback(Rating.UP),
        ),
        ChatMessage.user("Again"),
        ChatMessage.assistant("Par", status=Status.STOPPED, thinking=Thinking("hm", None, False)),
        ChatMessage.user("Once more"),
        ChatMessage.assistant(
            "Half an",
            status=Status.FAILED,
            error=UserFacingError(ErrorKind.SERVER, {"host": "api.openai.com", "status": "502"}),
        ),
        ChatMessage.assistant("Kept part", status=Status.KEPT),
        ChatMessage.user("Last"),
        ChatMessage.assistant("Being writ", status=Status.STREAMING, thinking=Thinking("t", 1.0)),
    ]


SETTINGS = {
    "model": "gpt-5.4-mini",
    "temperature": 0.7,
    "max_tokens": 1024,
    "history_window": 5,
    "system_prompt": "日本語で答えてください。",
}


def _stored(title: str = "猫の写真について", messages: list[ChatMessage] | None = None):
    return StoredConversation(
        "3f0c-id",
        title,
        SETTINGS,
        _stored_messages() if messages is None else messages,
        datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        datetime(2026, 1, 3, tzinfo=UTC),
    )


def _as_read_back(message: ChatMessage) -> ChatMessage:
    """What an exported message becomes: images without their bytes (so never sent
    again), and an answer that was being written as interrupted."""
    if message.status is Status.STREAMING:
        return ChatMessage.assistant(
            message.content,
            status=Status.FAILED,
            error=UserFacingError(ErrorKind.INTERRUPTED),
            thinking=message.thinking,
        )
    files = tuple(
        replace(a, data=b"", problem=UserFacingError(ErrorKind.FILE_NOT_IMPORTED, {"name": a.name}))
        if a.kind is AttachmentKind.IMAGE and a.sent
        else a
        for a in message.attachments
    )
    return replace(message, attachments=files)


def _one(data: bytes) -> ImportedConversation:
    result = read_import(data)
    assert result.skipped == 0
    (conversation,) = result.conversations
    return conversation


def test_the_apps_own_export_round_trips_field_by_field():
    stored = _stored()
    conversation = _one(export_json(stored).encode())
    assert conversation.source == "app"
    assert conversation.title == stored.title
    assert (conversation.created_at, conversation.updated_at) == (
        stored.created_at,
        stored.updated_at,
    )
    assert conversation.settings == SETTINGS
    messages = [node.message for node in conversation.nodes]
    expected = [_as_read_back(m) for m in stored.messages]
    for number, (got, wanted) in enumerate(zip(messages, expected, strict=True)):
        for field in ("role", "content", "status", "error", "usage", "feedback", "thinking"):
            assert getattr(got, field) == getattr(wanted, field), (number, field)
        assert got.attachments == wanted.attachments, number
        assert got == wanted
    assert [(n.number, n.parent) for n in conversation.nodes] == [
        (i, i - 1 if i else None) for i in range(len(expected))
    ]
    assert conversation.current == len(expected) - 1


def test_an_imported_image_is_neither_shown_nor_sent_again():
    question = _one(export_json(_stored()).encode()).nodes[0].message
    image = question.attachments[0]
    assert image.data == b"" and not image.sent
    assert not question.has_images
    documents = [a for a in question.attachments if a.sent]
    assert [a.name for a in documents] == ["メモ.md", "a.pdf"]


def test_a_list_of_exports_and_times_in_another_zone():
    first = json.loads(export_json(_stored("one")))
    second = json.loads(export_json(_stored("two")))
    second["created_at"] = "2026-01-02T12:00:00+09:00"
    second["updated_at"] = "2026-01-02T12:00:00"  # no zone: written in UTC
    result = read_import(json.dumps([first, second]).encode())
    assert [c.title for c in result.conversations] == ["one", "two"]
    imported = result.conversations[1]
    assert imported.created_at == datetime(2026, 1, 2, 3, tzinfo=UTC)
    assert imported.created_at.utcoffset() == timedelta(0)
    assert imported.updated_at == datetime(2026, 1, 2, 12, tzinfo=UTC)


def test_only_the_settings_a_conversation_keeps_are_read():
    exported = json.loads(export_json(_stored()))
    exported["settings"] = {
        **SETTINGS,
        "base_url": "https://elsewhere.example/v1",
        "api_key": "sk-not-mine",
        "temperature": "hot",
        "max_tokens": float("inf"),
        "history_window": True,
    }
    settings = _one(json.dumps(exported).encode()).settings
    assert settings == {"model": "gpt-5.4-mini", "system_prompt": "日本語で答えてください。"}


def test_an_untitled_export_is_named_after_its_first_message_and_long_titles_are_cut():
    exported = json.loads(export_json(_stored(messages=[ChatMessage.user("Ramen\nnear me?")])))
    exported["title"] = ""
    assert _one(json.dumps(exported).encode()).title == "Ramen near me?"
    exported["title"] = "line one\nline\u202etwo " + "x" * 500
    title = _one(json.dumps(exported).encode()).title
    assert "\n" not in title and "\u202e" not in title
    assert len(title) == 200 and title.startswith("line one linetwo x") and title.endswith("…")


# ChatGPT's export -------------------------------------------------------------------

T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def _node(
    key: str,
    parent: str | None,
    role: str | None,
    parts: list[Any] | None = None,
    *,
    at: float | None = None,
    content_type: str = "text",
    **extra: Any,
) -> tuple[str, dict[str, Any]]:
    """A node of ChatGPT's mapping (its ``children`` are filled in by ``_mapping``)."""
    message = None
    if role is not None:
        message = {
            "id": key,
            "author": {"role": role, "name": extra.pop("author_name", None), "metadata": {}},
            "create_time": at,
            "update_time": None,
            "content": extra.pop("content", None)
            or {"content_type": content_type, "parts": parts or []},
            "status": "finished_successfully",
            "end_turn": True,
            "weight": 1.0,
            "metadata": extra.pop("metadata", {}),
            "recipient": extra.pop("recipient", "all"),
            "channel": None,
            **extra,
        }
    return key, {"id": key, "message": message, "parent": parent, "children": []}


def _mapping(*nodes: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    mapping = dict(nodes)
    for key, node in mapping.items():
        if node["parent"] is not None:
            mapping[node["parent"]]["children"].append(key)
    return mapping


HIDDEN = {"is_visually_hidden_from_conversation": True}
IMAGE_PART = {
    "content_type": "image_asset_pointer",
    "asset_pointer": "file-service://file-abc123",
    "size_bytes": 123456,
    "width": 800,
    "height": 600,
}
# As ChatGPT names the files of a message; the image above is file-abc123.
PHOTO = {"id": "file-abc123", "name": "ramen.jpg", "mime_type": "image/jpeg", "size": 123456}
MENU = {"id": "file-def456", "name": "menu.pdf", "mime_type": "application/pdf", "size": 2048}
CODE = {"content_type": "code", "language": "python", "text": "print(5 * 60 // 80)"}
OUTPUT = {"content_type": "execution_output", "text": "3\n"}
SEARCH = {"content_type": "code", "language": "unknown", "text": "search('ラーメン 徒歩')"}


def chatgpt_export() -> list[dict[str, Any]]:
    """A small ``conversations.json`` as ChatGPT writes it.

    The first conversation: an answer regenerated (a1, a1b), a question edited (u2, u2b),
    a system root, an image with the files the question names, thoughts, a search and
    code run in Python with its output between two parts of an answer, an empty answer, a
    hidden message; it is shown on the older question's branch. Its nodes are not listed
    in order of creation.
    """
    ramen = _mapping(
        _node("root", None, None),
        _node("sys", "root", "system", [""], metadata=HIDDEN),
        _node("u1", "sys", "user", ["おすすめのラーメン屋は？"], at=T0 + 1),
        _node("a1b", "u1", "assistant", ["駅前の一蘭か、天下一品です。"], at=T0 + 100),
        _node("a1", "u1", "assistant", ["駅前の一蘭です。"], at=T0 + 10),
        _node(
            "u2",
            "a1b",
            "user",
            [IMAGE_PART, "近い順に教えて"],
            at=T0 + 200,
            content_type="multimodal_text",
            metadata={"attachments": [PHOTO, MENU]},
        ),
        _node("a2", "u2", "assistant", ["1. 一蘭\n2. 天下一品"], at=T0 + 210),
        _node("h", "a2", "user", ["(context)"], at=T0 + 220, metadata=HIDDEN),
        _node("u2b", "a1b", "user", ["徒歩で近い順に教えて"], at=T0 + 300),
        _node("th", "u2b", "assistant", [], at=T0 + 305, content_type="thoughts", thoughts=[]),
        _node("a3", "th", "assistant", ["調べます。"], at=T0 + 310),
        _node("search", "a3", "assistant", at=T0 + 311, content=SEARCH, recipient="browser"),
        _node("found", "search", "tool", ["(results)"], at=T0 + 311.5, content_type="text"),
        _node("code", "found", "assistant", at=T0 + 312, content=CODE, recipient="python"),
        _node("out", "code", "tool", at=T0 + 312.5, content=OUTPUT, author_name="python"),
        _node("empty", "out", "assistant", [""], at=T0 + 313),
        _node("a4", "empty", "assistant", ["徒歩なら一蘭が5分です。"], at=T0 + 320),
    )
    simple = _mapping(
        _node("r", None, None),
        _node("q", "r", "user", ["Hello"], at=None),
        _node("a", "q", "assistant", ["Hi! How can I help?"], at=None),
    )
    return [
        {
            "title": "ラーメンの相談",
            "create_time": T0 + 0.5,
            "update_time": T0 + 320.25,
            "mapping": ramen,
            "moderation_results": [],
            "current_node": "h",
            "conversation_id": "c-1",
            "id": "c-1",
        },
        {
            "title": "Greeting",
            "create_time": T0 - 86_400,
            "update_time": None,
            "mapping": simple,
            "current_node": "a",
            "id": "c-2",
        },
    ]


def _export_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def _shape(conversation: ImportedConversation) -> list[tuple[int, int | None, str, str]]:
    return [
        (n.number, n.parent, n.message.role.value, n.message.content) for n in conversation.nodes
    ]


RAN = "```python\nprint(5 * 60 // 80)\n```\n\n```output\n3\n```"


def test_chatgpts_tree_is_kept_with_its_branches():
    result = read_import(_export_bytes(chatgpt_export()))
    assert result.skipped == 0
    ramen, greeting = result.conversations
    assert ramen.source == greeting.source == "chatgpt"
    assert _shape(ramen) == [
        (0, None, "user", "おすすめのラーメン屋は？"),
        (1, 0, "assistant", "駅前の一蘭です。"),  # the first answer, though listed second
        (2, 0, "assistant", "駅前の一蘭か、天下一品です。"),  # regenerated
        (3, 2, "user", "近い順に教えて"),  # the image is among its files
        (4, 3, "assistant", "1. 一蘭\n2. 天下一品"),
        (5, 2, "user", "徒歩で近い順に教えて"),  # the edited question
        # Before and after the code it ran, the code and its output: one answer.
        (6, 5, "assistant", MERGE_SEPARATOR.join(["調べます。", RAN, "徒歩なら一蘭が5分です。"])),
    ]
    assert ramen.current == 4  # the hidden leaf shown last hangs under a2
    assert all(n.message.status is Status.COMPLETE for n in ramen.nodes)
    assert ramen.settings == {}


def test_chatgpts_titles_and_times():
    ramen, greeting = read_import(_export_bytes(chatgpt_export())).conversations
    assert ramen.title == "ラーメンの相談"
    assert ramen.created_at == datetime(2023, 11, 14, 22, 13, 20, 500_000, tzinfo=UTC)
    assert ramen.updated_at == datetime(2023, 11, 14, 22, 18, 40, 250_000, tzinfo=UTC)
    assert greeting.title == "Greeting"
    assert greeting.created_at == datetime(2023, 11, 13, 22, 13, 20, tzinfo=UTC)
    assert greeting.updated_at is None
    assert _shape(greeting) == [
        (0, None, "user", "Hello"),
        (1, 0, "assistant", "Hi! How can I help?"),
    ]
    assert greeting.current == 1


def test_each_branch_alternates_question_and_answer():
    (ramen, _) = read_import(_export_bytes(chatgpt_export())).conversations
    roles = {n.number: n.message.role for n in ramen.nodes}
    for node in ramen.nodes:
        if node.parent is not None:
            assert roles[node.parent] is not node.message.role
        else:
            assert node.message.role is Role.USER


def test_a_run_of_one_role_becomes_one_message():
    mapping = _mapping(
        _node("q", None, "user", ["Q"], at=T0),
        _node("a", "q", "assistant", ["Let me look."], at=T0 + 1),
        _node("t", "a", "tool", ["(search results)"], at=T0 + 2),
        _node("b", "t", "assistant", ["Still looking."], at=T0 + 3),
        _node("c", "b", "assistant", ["Found it."], at=T0 + 4),
        _node("q2", "c", "user", ["Thanks"], at=T0 + 5),
        _node("q3", "q2", "user", ["Really"], at=T0 + 6),
    )
    conversation = _one(_export_bytes({"title": "t", "mapping": mapping, "current_node": "b"}))
    assert _shape(conversation) == [
        (0, None, "user", "Q"),
        (1, 0, "assistant", "Let me look.\n\nStill looking.\n\nFound it."),
        (2, 1, "user", "Thanks\n\nReally"),
    ]
    assert conversation.current == 1  # "b" was merged into its child


def test_a_message_with_several_children_of_its_role_stays_apart():
    """Merged into each child, its text would be copied once per child."""
    mapping = _mapping(
        _node("q", None, "user", ["Q"], at=T0),
        _node("a", "q", "assistant", ["Let me look."], at=T0 + 1),
        _node("a1", "a", "assistant", ["Found one."], at=T0 + 2),
        _node("a2", "a", "assistant", ["Found two."], at=T0 + 3),
        _node("q2", "a1", "user", ["Thanks"], at=T0 + 4),
    )
    conversation = _one(_export_bytes({"title": "t", "mapping": mapping, "current_node": "a"}))
    assert _shape(conversation) == [
        (0, None, "user", "Q"),
        (1, 0, "assistant", "Let me look."),
        (2, 1, "assistant", "Found one."),
        (3, 1, "assistant", "Found two."),
        (4, 2, "user", "Thanks"),  # numbered in order of creation
    ]
    assert conversation.current == 1


def _files_of(message: ChatMessage) -> list[tuple[str, AttachmentKind | None, str, int]]:
    return [(a.name, a.kind, a.mime_type, a.size) for a in message.attachments]


def test_chatgpts_named_files_are_kept_by_name_and_never_sent():
    ramen, greeting = read_import(_export_bytes(chatgpt_export())).conversations
    question = ramen.nodes[3].message
    assert _files_of(question) == [
        ("ramen.jpg", AttachmentKind.IMAGE, "image/jpeg", 123456),
        ("menu.pdf", AttachmentKind.PDF, "application/pdf", 2048),
    ]
    assert [a.problem for a in question.attachments] == [
        UserFacingError(ErrorKind.FILE_NOT_IMPORTED, {"name": "ramen.jpg"}),
        UserFacingError(ErrorKind.FILE_NOT_IMPORTED, {"name": "menu.pdf"}),
    ]
    assert not any(a.sent for a in question.attachments)
    others = [n.message for n in (*ramen.nodes, *greeting.nodes) if n.message is not question]
    assert all(m.attachments == () for m in others)


def _one_question(*, parts: list[Any], metadata: dict[str, Any]) -> ChatMessage:
    mapping = _mapping(
        _node("q", None, "user", parts, at=T0, content_type="multimodal_text", metadata=metadata),
        _node("a", "q", "assistant", ["A cat."], at=T0 + 1),
    )
    document = {"title": "t", "mapping": mapping, "current_node": "a"}
    return _one(_export_bytes(document)).nodes[0].message


def test_an_image_no_file_names_is_a_placeholder_and_a_question_of_files_alone_is_kept():
    unnamed = _one_question(parts=[IMAGE_PART, "What is this?"], metadata={})
    assert unnamed.content == f"{IMAGE_PLACEHOLDER}{MERGE_SEPARATOR}What is this?"
    assert unnamed.attachments == ()
    alone = _one_question(parts=[IMAGE_PART], metadata={"attachments": [PHOTO]})
    assert alone.content == "" and [a.name for a in alone.attachments] == ["ramen.jpg"]


def test_file_names_lose_their_invisible_controls_and_odd_entries_cost_only_a_name():
    hostile = {"name": "invoice\u202efdp.exe", "mime_type": 5, "size": 10**30}
    entries = [hostile, "not an object", {"name": None, "size": True}, {}]
    question = _one_question(parts=["see"], metadata={"attachments": entries})
    assert _files_of(question) == [
        ("invoicefdp.exe", None, "application/octet-stream", 0),
        ("…", None, "application/octet-stream", 0),
        ("…", None, "application/octet-stream", 0),
    ]
    many = [{"name": f"{n}.txt"} for n in range(100)]
    assert len(_one_question(parts=["q"], metadata={"attachments": many}).attachments) == 20


def _answer_with(code: dict[str, Any], *, recipient: str = "python") -> str:
    mapping = _mapping(
        _node("q", None, "user", ["Run it"], at=T0),
        _node("c", "q", "assistant", at=T0 + 1, content=code, recipient=recipient),
        _node("o", "c", "tool", at=T0 + 2, content=OUTPUT, author_name="python"),
    )
    document = {"title": "t", "mapping": mapping, "current_node": "o"}
    return _one(_export_bytes(document)).nodes[1].message.content


def test_code_from_a_file_stays_inside_its_block():
    fenced = _answer_with({"content_type": "code", "language": "py\n# x", "text": "s = '```'"})
    assert fenced == "````\ns = '```'\n````" + MERGE_SEPARATOR + "```output\n3\n```"
    other_tool = {"content_type": "code", "language": "unknown", "text": '{"prompt": "a cat"}'}
    assert _answer_with(other_tool, recipient="dalle.text2im") == "```output\n3\n```"


def _chain(count: int, roles: tuple[str, ...], *, leaves: bool = False) -> dict[str, Any]:
    """A conversation of ``count`` messages one under another (each with a leaf of the
    other role under it, with ``leaves``), as ``conversations.json`` spells it, tersely."""
    mapping: dict[str, Any] = {}
    for number in range(count):
        role = roles[number % len(roles)]
        content = {"content_type": "text", "parts": ["x" * 500]}
        message = {"author": {"role": role}, "content": content}
        mapping[f"{number}"] = {"message": message, "parent": f"{number - 1}" if number else None}
        if leaves:
            other = {**message, "author": {"role": "user" if role == "assistant" else "assistant"}}
            mapping[f"leaf{number}"] = {"message": other, "parent": f"{number}"}
    return {"title": "long", "mapping": mapping, "current_node": f"{count - 1}"}


@pytest.mark.parametrize(
    ("count", "roles", "leaves", "nodes"),
    [
        (20_000, ("assistant",), False, 1),  # all merged into one
        (20_000, ("assistant",), True, 2 * 20_000),  # none merged: copied to each child, quadratic
        (50_000, ("system",), False, 0),  # none shown: each looks for a shown ancestor
        (20_000, ("user", "assistant"), False, 20_000),
    ],
    ids=["one-role", "one-role-with-leaves", "none-shown", "alternating"],
)
def test_long_conversations_cost_time_in_proportion(count, roles, leaves, nodes):
    """A cost that grew with the square of the length would take minutes here."""
    data = json.dumps([_chain(count, roles, leaves=leaves)]).encode()
    started = time.perf_counter()
    result = read_import(data, max_messages=1_000_000)
    assert time.perf_counter() - started < 20  # about a second on a slow machine
    assert sum(len(c.nodes) for c in result.conversations) == nodes


def test_a_missing_current_node_shows_the_last_message_written():
    document = chatgpt_export()[0]
    document["current_node"] = None
    assert _one(_export_bytes(document)).current == 6
    document["current_node"] = "no-such-node"
    assert _one(_export_bytes(document)).current == 6


# Fingerprints -----------------------------------------------------------------------


def _fingerprints(data: bytes) -> list[str]:
    return [c.fingerprint for c in read_import(data).conversations]


def test_the_same_file_gives_the_same_fingerprints_and_others_differ():
    data = _export_bytes(chatgpt_export())
    first = _fingerprints(data)
    assert first == _fingerprints(data)
    assert len(set(first)) == 2 and all(len(f) == 64 for f in first)
    app = _fingerprints(export_json(_stored()).encode())
    assert app == _fingerprints(export_json(_stored()).encode())
    assert app != _fingerprints(export_json(_stored("another title")).encode())
    assert set(app).isdisjoint(first)


def test_a_fingerprint_is_the_same_in_another_process():
    data = _export_bytes(chatgpt_export())
    script = (
        "import sys; from chat_core.transfer.import_files import read_import; "
        "print(*(c.fingerprint for c in read_import(sys.stdin.buffer.read()).conversations))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script], input=data, capture_output=True, cwd=ROOT, check=True
    )
    assert other.stdout.decode().split() == _fingerprints(data)


def test_a_fingerprint_depends_on_what_was_said_not_on_ids():
    document = chatgpt_export()[0]
    new = {key: f"{key}-{number}" for number, key in enumerate(document["mapping"])}.get
    renamed = {**document, "id": "another-id", "current_node": new(document["current_node"])}
    renamed["mapping"] = {}
    for key, node in document["mapping"].items():
        children = [new(child) for child in node["children"]]
        renamed["mapping"][new(key)] = {
            **node,
            "id": new(key),
            "parent": new(node["parent"]),
            "children": children,
        }
    assert _fingerprints(_export_bytes(renamed)) == _fingerprints(_export_bytes(document))
    changed = copy.deepcopy(document)
    changed["mapping"]["a2"]["message"]["content"]["parts"] = ["1. 天下一品"]
    assert _fingerprints(_export_bytes(changed)) != _fingerprints(_export_bytes(document))


# Refusals and skipped conversations -------------------------------------------------


def _refusal(data: bytes, **limits: int) -> ImportRefused:
    with pytest.raises(ImportRefused) as refused:
        read_import(data, **limits)
    assert refused.value.reason in REFUSALS
    return refused.value


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    assert IMPORT_LIMIT_BYTES == 50_000_000
    refused = _refusal(b"\xff" * 1001, max_bytes=1000)  # not even UTF-8: never decoded
    assert refused.reason == "too_large"
    assert refused.details["limit"] == "1000 B"
    good = export_json(_stored()).encode()
    assert _refusal(good, max_bytes=len(good) - 1).reason == "too_large"
    assert read_import(good, max_bytes=len(good)).conversations


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xfe\x00garbage",
        "日本語".encode("shift_jis"),
        b"{'single': 'quotes'}",
        b'{"title": "cut',
        b"[" * 100_000,  # nested deeper than the parser goes
        b'{"a":' * 100_000,
        b"1" * 5000,  # more digits than Python reads as a number
        b"PK\x03\x04zip",  # ChatGPT's zip, not its conversations.json
    ],
)
def test_what_is_not_json_is_refused(data):
    assert _refusal(data).reason == "not_json"


@pytest.mark.parametrize(
    "document",
    [{"hello": "world"}, [1, 2, 3], "a string", 42, None, [[]], [{"id": "x"}], [[[[[[[[]]]]]]]]],
)
def test_json_of_neither_format_is_refused(document):
    assert _refusal(json.dumps(document).encode()).reason == "unknown_format"


def test_too_many_conversations_or_messages_are_refused():
    data = _export_bytes(chatgpt_export())
    refused = _refusal(data, max_conversations=1)
    assert (refused.reason, refused.details["what"], refused.details["limit"]) == (
        "too_many",
        "conversations",
        "1",
    )
    refused = _refusal(data, max_messages=8)  # 7 and 2
    assert (refused.reason, refused.details["what"], refused.details["count"]) == (
        "too_many",
        "messages",
        "9",
    )
    assert len(read_import(data, max_conversations=2, max_messages=9).conversations) == 2


def test_an_empty_list_imports_nothing_and_a_byte_order_mark_is_allowed():
    assert read_import(b"[]") == ImportResult([], 0)
    assert read_import(b"\xef\xbb\xbf" + export_json(_stored()).encode()).conversations


def _cyclic() -> dict[str, Any]:
    mapping = _mapping(
        _node("x", "y", "user", ["X"], at=T0),
        _node("y", "x", "assistant", ["Y"], at=T0 + 1),
    )
    return {"title": "loop", "mapping": mapping, "current_node": "x"}


def _skipped_loop() -> dict[str, Any]:
    mapping = _mapping(_node("s", "s", "system", ["S"]), _node("u", "s", "user", ["U"], at=T0))
    return {"title": "loop through a system node", "mapping": mapping}


def _broken_app_exports() -> list[Any]:
    good = json.loads(export_json(_stored()))
    broken = []
    for path, value in [
        (("messages",), {"role": "user"}),
        (("messages", 0, "role"), 5),
        (("messages", 0, "role"), "system"),
        (("messages", 0, "content"), ["a", "list"]),
        (("messages", 1, "status"), "finished"),
        (("messages", 1, "usage", "input_tokens"), "many"),
        (("messages", 1, "thinking"), "a string"),
        (("messages", 0, "attachments"), {"name": "x"}),
        (("messages", 0, "attachments", 0, "size"), "3 B"),
        (("messages", 0, "attachments", 0, "kind"), "video"),
        (("messages", 0, "error", "details"), {"count": 2}),
        (("title",), 123),
        (("created_at",), "yesterday"),
        (("settings",), ["model"]),
    ]:
        item = copy.deepcopy(good)
        target = item
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        broken.append(item)
    return broken


def test_a_malformed_conversation_is_skipped_and_counted():
    ramen, greeting = chatgpt_export()
    wrong_mapping = {**greeting, "mapping": [1, 2]}
    wrong_parts = copy.deepcopy(greeting)
    wrong_parts["mapping"]["q"]["message"]["content"]["parts"] = [7]
    wrong_author = copy.deepcopy(greeting)
    wrong_author["mapping"]["q"]["message"]["author"] = "user"
    wrong_time = {**greeting, "create_time": "yesterday"}
    empty = {**greeting, "mapping": {}}
    chatgpt_broken = [wrong_mapping, wrong_parts, wrong_author, wrong_time, empty]
    chatgpt_broken += [_cyclic(), _skipped_loop(), "not an object", 7, None]
    result = read_import(_export_bytes([ramen, *chatgpt_broken]))
    assert [c.title for c in result.conversations] == ["ラーメンの相談"]
    assert result.skipped == len(chatgpt_broken)
    app_broken = _broken_app_exports()
    good = json.loads(export_json(_stored("good")))
    result = read_import(_export_bytes([*app_broken, good]))
    assert [c.title for c in result.conversations] == ["good"]
    assert result.skipped == len(app_broken)


def test_an_unknown_error_kind_and_unknown_keys_are_read():
    exported = json.loads(export_json(_stored()))
    exported["messages"][7]["error"] = {"kind": "from_the_future", "details": {"x": "y"}}
    exported["messages"][7]["emoji"] = "🎉"
    exported["future_field"] = {"nested": [1, 2, 3]}
    message = _one(json.dumps(exported).encode()).nodes[7].message
    assert message.error == UserFacingError(ErrorKind.UNKNOWN)


def test_text_no_database_stores_is_replaced_and_the_rest_kept_as_is():
    exported = json.loads(export_json(_stored(messages=[ChatMessage.user("x")])))
    exported["messages"][0]["content"] = "  a\x00b\ud800c\n\n  "
    data = json.dumps(exported).encode()  # ASCII escapes: a lone surrogate is valid JSON
    assert _one(data).nodes[0].message.content == "  a\ufffdb\ufffdc\n\n  "


def test_the_importer_never_loads_streamlit():
    script = "import sys, chat_core.transfer.import_files; print('streamlit' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, cwd=ROOT)
    assert loaded.stdout.decode().strip() == "False", loaded.stderr.decode()


# Any bytes at all ---------------------------------------------------------------------


def _keys_in(*documents: Any) -> list[str]:
    """Every key in these documents: random objects are made of them."""
    keys: set[str] = set()
    values = list(documents)
    while values:
        value = values.pop()
        if isinstance(value, dict):
            keys |= value.keys()
            values += value.values()
        elif isinstance(value, list):
            values += value
    return sorted(keys)


_KEYS = _keys_in(chatgpt_export(), json.loads(export_json(_stored())))


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.randrange(12 if depth < 4 else 8)
    simple = [
        None,
        rng.random() < 0.5,
        rng.randint(-(10**30), 10**30),
        rng.choice([0.5, -1e308, float("nan"), float("inf"), 1e20]),
        rng.choice(["", "user", "assistant", "system", "text", "complete", "image", "日本"]),
        rng.choice(["2026-01-01T00:00:00", "\ud800", "x" * 300, "\x00", "streaming"]),
        rng.choice(_KEYS),
        rng.choice(["multimodal_text", "a1", "u1", "root", "file_unsupported"]),
    ]
    if choice < 8:
        return simple[choice]
    if choice < 10:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = rng.sample(_KEYS, rng.randrange(6))
    return {key: _random_value(rng, depth + 1) for key in keys}


def _mutated(document: Any, rng: random.Random) -> Any:
    """``document`` with one value somewhere in it replaced by a random one."""
    document = copy.deepcopy(document)
    target, key = None, None
    node = document
    while isinstance(node, dict | list) and node and rng.random() < 0.85:
        target = node
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        node = node[key]
    if target is None:
        return _random_value(rng)
    target[key] = _random_value(rng)
    return document


def _survives(data: bytes) -> None:
    try:
        result = read_import(data, max_bytes=200_000)
    except ImportRefused as refused:
        assert refused.reason in REFUSALS
    else:
        assert isinstance(result, ImportResult)
        for conversation in result.conversations:
            assert conversation.nodes and conversation.current in range(len(conversation.nodes))
            assert len(conversation.title) <= 200
            for node in conversation.nodes:
                assert node.parent is None or node.parent < node.number


def test_random_bytes_give_a_result_or_a_refusal():
    rng = random.Random(20260101)
    for _ in range(300):
        _survives(rng.randbytes(rng.randrange(64)))
    _survives(b"\x00" * 300_000)  # over max_bytes


def test_random_json_gives_a_result_or_a_refusal():
    rng = random.Random(7)
    for _ in range(500):
        _survives(json.dumps(_random_value(rng)).encode())


def test_damaged_exports_give_a_result_or_a_refusal():
    rng = random.Random(42)
    sources = [chatgpt_export(), json.loads(export_json(_stored()))]
    for round_ in range(600):
        document = sources[round_ % 2]
        for _ in range(rng.randrange(1, 4)):
            document = _mutated(document, rng)
        _survives(json.dumps(document).encode())  # ASCII: it may hold lone surrogates


DEEP = "<deep>"


def _deep_places() -> list[Any]:
    """Conversations with a value nested deep where each reader looks."""
    message = {"author": {"role": "user"}, "content": {"content_type": "text", "parts": ["q"]}}
    return [
        [{"title": "t", "messages": [{"role": "user", "content": DEEP}]}],
        [{"title": "t", "settings": {"model": DEEP}, "messages": [{"role": "user"}]}],
        [{"mapping": {"a": {"message": {**message, "metadata": DEEP}}}}],
        [{"mapping": {"a": {"message": {**message, "content": {"parts": [DEEP]}}}}}],
        [{"mapping": {"a": {"message": message}}, "current_node": DEEP}],
    ]


@pytest.mark.parametrize("depth", [65, 500, 990, 5000])
@pytest.mark.parametrize("document", _deep_places())
def test_deep_nesting_inside_a_conversation_gives_a_result_or_a_refusal(document, depth):
    deep = "[" * depth + '{"content_type": "image"}' + "]" * depth
    _survives(json.dumps(document).replace(json.dumps(DEEP), deep).encode())


def test_odd_epochs_are_read_or_left_out():
    document = chatgpt_export()[1]
    for value, expected in [
        (-1.5, datetime(1969, 12, 31, 23, 59, 58, 500_000, tzinfo=UTC)),
        (1e20, None),
        (float("nan"), None),
    ]:
        document["create_time"] = value
        assert _one(_export_bytes(document)).created_at == expected


def test_every_setting_a_conversation_keeps_comes_back_with_its_kind():
    exported = {
        "title": "t",
        "messages": [{"role": "user", "content": "q"}],
        "settings": {"history_fit": True, "temperature": 0.3, "api_key": "sk-no", "model": 5},
    }
    (conversation,) = read_import(json.dumps(exported).encode()).conversations
    assert conversation.settings == {"history_fit": True, "temperature": 0.3}


def test_an_exported_file_name_loses_its_invisible_controls():
    bidi = "invoice\u202efdp.exe"
    problem = {"kind": "file_unsupported", "details": {"name": bidi}}
    file = {"name": bidi, "kind": "text", "size": 10**12, "text": "x", "problem": problem}
    export = {"title": "t", "messages": [{"role": "user", "content": "q", "attachments": [file]}]}
    (attachment,) = _one(json.dumps(export).encode()).nodes[0].message.attachments
    assert attachment.name == "invoicefdp.exe" and attachment.size == 0
    assert attachment.problem.details == {"name": "invoicefdp.exe"}


def test_settings_out_of_range_are_brought_to_the_nearest_bound_and_named():
    written = {"temperature": 5, "history_window": 51, "max_tokens": 2.6, "history_fit": False}
    exported = {"title": "t", "messages": [{"role": "user", "content": "q"}], "settings": written}
    conversation = _one(json.dumps(exported).encode())
    assert conversation.settings == {
        "temperature": 2.0,
        "history_window": 50,
        "max_tokens": 3,  # a whole number, as its widget takes one
        "history_fit": False,
    }
    assert conversation.adjusted == ("temperature", "history_window", "max_tokens")
    inside = {"temperature": 1, "history_window": 0, "max_tokens": 32_768}
    exported["settings"] = inside
    conversation = _one(json.dumps(exported).encode())
    assert conversation.settings == inside and conversation.adjusted == ()
    assert isinstance(conversation.settings["temperature"], float)


# ChatGPT's web search as its exports spell it: the call (to "browser" in 2023, "web" or
# "web.run" later), the tool's answer (a browsing display, a quote of a page, text with
# metadata.search_result_groups).
BROWSE = {"content_type": "code", "language": "unknown", "text": "search('ramen Tokyo')"}
DISPLAY = {"content_type": "tether_browsing_display", "result": "# 【0†Rokurinsha†tabelog.com】",
           "summary": None}  # fmt: skip
QUOTE = {"content_type": "tether_quote", "url": "https://tabelog.com/rokurinsha",
         "domain": "tabelog.com", "title": "Rokurinsha", "text": "Opens at 7:30."}  # fmt: skip
GROUPS = {"search_result_groups": [{"domain": "example.org", "entries": [
    {"type": "search_result", "url": "https://example.org/tsukemen", "title": "Tsukemen",
     "snippet": "Dipping noodles."},
    {"type": "search_result", "url": "javascript:alert(1)", "title": "bad"},
    {"type": "search_result", "url": "https://tabelog.com/rokurinsha", "title": "again"},
]}]}  # fmt: skip


QUOTE_CALL = {"content_type": "code", "text": "quote('0')"}
SEARCH_QUERY = '{"search_query": [{"q": "tsukemen"}]}'
ODD_CALL = {"content_type": "code", "text": 42}
ODD_QUOTE = {"content_type": "tether_quote", "url": ["x"], "title": {"a": 1}}


def test_chatgpts_searches_and_pages_become_the_answers_steps_with_their_sources():
    mapping = _mapping(
        _node("q", None, "user", ["Ramen near Tokyo Station?"], at=T0),
        _node("a", "q", "assistant", ["Let me look."], at=T0 + 1),
        _node("c1", "a", "assistant", at=T0 + 2, content=BROWSE, recipient="browser"),
        _node("r1", "c1", "tool", at=T0 + 3, content=DISPLAY, author_name="browser"),
        _node("c2", "r1", "assistant", at=T0 + 4, recipient="browser", content=QUOTE_CALL),
        _node("r2", "c2", "tool", at=T0 + 5, content=QUOTE, author_name="browser"),
        _node("c3", "r2", "assistant", [SEARCH_QUERY], at=T0 + 6, recipient="web.run"),
        _node("r3", "c3", "tool", ["(results)"], at=T0 + 7, author_name="web.run", metadata=GROUPS),
        _node("end", "r3", "assistant", ["Rokurinsha opens at 7:30 [1]."], at=T0 + 8),
    )
    document = {"title": "t", "mapping": mapping, "current_node": "end"}
    answer = _one(_export_bytes(document)).nodes[1].message
    assert answer.content == f"Let me look.{MERGE_SEPARATOR}Rokurinsha opens at 7:30 [1]."
    searched, quoted, found = answer.steps
    assert [s.name for s in answer.steps] == ["browser", "browser", "web.run"]
    assert searched.arguments == {"input": "search('ramen Tokyo')"}
    assert "Rokurinsha" in searched.result and searched.status is StepStatus.DONE
    assert searched.text_at == quoted.text_at == found.text_at == len("Let me look.")
    rokurinsha = Source(1, "Rokurinsha", "https://tabelog.com/rokurinsha")
    assert quoted.sources == (rokurinsha,) and "Opens at 7:30." in quoted.result
    assert found.sources == (Source(2, "Tsukemen", "https://example.org/tsukemen"), rokurinsha)
    assert [s.round for s in answer.steps] == [1, 2, 3]


def test_a_tool_answer_of_an_odd_shape_costs_its_text_not_the_conversation():
    mapping = _mapping(
        _node("q", None, "user", ["q"], at=T0),
        _node("c", "q", "assistant", at=T0 + 1, recipient="browser", content=ODD_CALL),
        _node(
            "r",
            "c",
            "tool",
            at=T0 + 2,
            author_name="browser",
            content=ODD_QUOTE,
            metadata={"search_result_groups": "nope"},
        ),
        _node("a", "r", "assistant", ["Done."], at=T0 + 3),
    )
    document = {"title": "t", "mapping": mapping, "current_node": "a"}
    answer = _one(_export_bytes(document)).nodes[1].message
    (step,) = answer.steps
    assert (step.name, step.arguments, step.sources, answer.content) == ("browser", {}, (), "Done.")
