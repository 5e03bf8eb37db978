"""ChatGPT's ``conversations.json``: each conversation's tree of messages, as ChatGPT
shows it: questions and answers, the code an answer ran with its output, the names of
the files attached (their bytes are not in the export), and its other tool calls (web
searches, pages opened, image prompts) as the answer's steps, with the sources a search
found."""

from __future__ import annotations

import heapq
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from chat_core.conversation.imported import ImportedNode
from chat_core.conversation.messages import ChatMessage, Role
from chat_core.conversation.tool_steps import (
    MAX_STEPS,
    RESULT_SHOWN_CHARS,
    SOURCES_PER_STEP,
    Source,
    StepStatus,
    ToolStep,
    checked_source,
)
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.files.attachments import Attachment
from chat_core.files.kinds import clean_name, kind_of
from chat_core.transfer.import_values import (
    MalformedError,
    Read,
    as_dict,
    checked,
    file_size,
    from_epoch,
    get,
)

__all__ = ["FILES_PER_MESSAGE", "IMAGE_PLACEHOLDER", "MERGE_SEPARATOR", "read_conversation"]

IMAGE_PLACEHOLDER = "[image]"  # where a message showed an image no attachment names
MERGE_SEPARATOR = "\n\n"  # between a message's parts, and two messages merged into one
FILES_PER_MESSAGE = 20  # attachment names kept per message (ChatGPT takes 10 files at once)
NAME_LIMIT = 255  # characters of a file's name, as the store keeps one
OUTPUT_LANGUAGE = "output"  # a code run's output, labelled as such in its block
_SHOWN_ROLES = ("user", "assistant")  # ChatGPT's others: system, tool
_TEXT_CONTENT = ("text", "multimodal_text")  # others: thoughts, tether_quote...
# Code ChatGPT shows, folded, in the answer: what it ran in its Python tool. Its calls to
# other tools (searches, pages, image prompts) become the answer's steps.
_CODE_RECIPIENTS = ("python",)
_STEP_INPUT_CHARS = 2_000
_LANGUAGE = re.compile(r"[\w+#.-]{1,30}")  # what may follow a fence's backticks


@dataclass(frozen=True)
class _Call:
    """An answer's call to a tool other than Python (``recipient``), what it sent."""

    name: str
    sent: str


@dataclass(frozen=True)
class _Result:
    """What a tool gave back to the call before it, and the pages it names."""

    text: str
    sources: tuple[tuple[str, str], ...]  # (title, url)


@dataclass
class _Draft:
    """A node of ChatGPT's tree; ``role`` None for one not shown (system, tool, hidden)."""

    parent: str | None
    order: tuple[bool, float, int]  # its creation (unknown ones last), then its place
    role: Role | None = None
    # Its own text (or tool call, or result), then those merged into it.
    texts: list[str | _Call | _Result] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)  # likewise


def _fenced(text: str, language: str) -> str:
    """``text`` as a fenced block no backticks inside it can close early."""
    text = text.rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    language = language if _LANGUAGE.fullmatch(language) and language != "unknown" else ""
    return f"{fence}{language}\n{text}\n{fence}"


def _files(message: dict[str, Any]) -> list[Attachment]:
    """The files a message names in ``metadata.attachments``; only their names came. An
    entry of another shape is passed over: it costs a name, not the conversation."""
    named = get(get(message, "metadata", dict, {}), "attachments", list, [])
    entries = [entry for entry in named if isinstance(entry, dict)][:FILES_PER_MESSAGE]
    return [_file(entry) for entry in entries]


def _file(entry: dict[str, Any]) -> Attachment:
    name, mime, size = entry.get("name"), entry.get("mime_type"), entry.get("size")
    name = clean_name(checked(name, str, "name"))[:NAME_LIMIT] if isinstance(name, str) else ""
    name = name.strip() or "…"
    mime = checked(mime, str, "mime")[:100] if isinstance(mime, str) else ""
    problem = UserFacingError(ErrorKind.FILE_NOT_IMPORTED, {"name": name})
    return Attachment(
        name=name,
        kind=kind_of(name),
        mime_type=mime or "application/octet-stream",
        size=file_size(size),
        problem=problem,
    )


def _part_text(part: Any, has_files: bool) -> str:
    """A content part: text as is; an image (never in the JSON) as a placeholder, unless
    the message names its files."""
    if isinstance(part, str):
        return checked(part, str, "part")
    part = as_dict(part)
    content_type = get(part, "content_type", str, "")
    if content_type == "audio_transcription":  # what was said in voice mode
        return get(part, "text", str, "")
    is_image = "asset_pointer" in part or "image" in content_type
    return IMAGE_PLACEHOLDER if is_image and not has_files else ""


Shown = tuple[Role | None, "str | _Call | _Result", list[Attachment]]


def _shown(message: dict[str, Any]) -> Shown:
    """The role, text and files of a message ChatGPT shows; no role for one it does not:
    system messages, hidden ones, thoughts, empty ones. Code that an answer ran, and its
    output, are shown in the answer as code blocks; a call to another tool and what it
    gave back are the answer's too, as a step."""
    role = get(get(message, "author", dict, {}), "role", str, "")
    hidden = get(message, "metadata", dict, {}).get("is_visually_hidden_from_conversation")
    recipient = get(message, "recipient", str, "all")
    content = get(message, "content", dict, {})
    kind = get(content, "content_type", str, "")
    if hidden is True:
        return None, "", []
    if kind == "code" and role == "assistant" and recipient in _CODE_RECIPIENTS:
        code = get(content, "text", str, "")
        return _answer(_fenced(code, get(content, "language", str, "")) if code.strip() else "")
    if kind == "execution_output" and role == "tool":
        output = get(content, "text", str, "")
        return _answer(_fenced(output, OUTPUT_LANGUAGE) if output.strip() else "")
    if role == "assistant" and recipient != "all":
        sent = _loose(content, "text") or _joined_parts(content)
        return Role.ASSISTANT, _Call(recipient[:128], sent[:_STEP_INPUT_CHARS]), []
    if role == "tool":
        return Role.ASSISTANT, _result(message, content), []
    if role not in _SHOWN_ROLES or recipient != "all" or kind not in _TEXT_CONTENT:
        return None, "", []
    files = _files(message)
    parts = (_part_text(part, bool(files)) for part in get(content, "parts", list, []))
    text = MERGE_SEPARATOR.join(part for part in parts if part)
    return (Role(role), text, files) if text.strip() or files else (None, "", [])


def _answer(text: str) -> Shown:
    return (Role.ASSISTANT, text, []) if text else (None, "", [])


def _loose(data: dict[str, Any], key: str) -> str:
    """A tool message's text field, or nothing: its shapes vary, and one that is not
    text costs that field, never the conversation."""
    value = data.get(key)
    return checked(value, str, key) if isinstance(value, str) else ""


def _joined_parts(content: dict[str, Any]) -> str:
    parts = content.get("parts")
    texts = [checked(p, str, "part") for p in parts if isinstance(p, str) and p] if isinstance(
        parts, list) else []  # fmt: skip
    return MERGE_SEPARATOR.join(texts)


def _result(message: dict[str, Any], content: dict[str, Any]) -> _Result:
    """A tool's answer in any of the shapes ChatGPT wrote them: parts of text, a browsing
    display (``result``, ``summary``), a quote of a page (``title``, ``url``, ``text``);
    the pages it names from the quote and from ``metadata.search_result_groups``."""
    pieces = [_joined_parts(content)]
    pieces += [_loose(content, key) for key in ("title", "result", "summary", "text")]
    text = "\n".join(piece for piece in pieces if piece)
    found: list[tuple[str, str]] = []
    if isinstance(url := content.get("url"), str):
        found.append((_loose(content, "title"), url))
    groups = get(message, "metadata", dict, {}).get("search_result_groups")
    for group in groups if isinstance(groups, list) else []:
        entries = group.get("entries") if isinstance(group, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("url"), str):
                title = entry.get("title")
                found.append((title if isinstance(title, str) else "", entry["url"]))
        if len(found) >= SOURCES_PER_STEP:
            break
    return _Result(text[:RESULT_SHOWN_CHARS], tuple(found[:SOURCES_PER_STEP]))


def _draft(node: Any, place: int) -> _Draft:
    node = as_dict(node)
    message = get(node, "message", dict)
    created = from_epoch(message.get("create_time")) if message else None
    order = (created is None, created.timestamp() if created else 0.0, place)
    role, text, files = _shown(message) if message else (None, "", [])
    return _Draft(get(node, "parent", str), order, role, [text], files)


def _nearest_shown(key: str | None, drafts: dict[str, _Draft], memo: dict) -> str | None:
    """``key`` if shown, else its nearest shown ancestor; None when none is."""
    trail: dict[str, None] = {}  # the skipped nodes walked through
    while key in drafts and key not in memo:
        if drafts[key].role is not None:
            memo[key] = key
            break
        if key in trail:
            raise MalformedError("cycle")
        trail[key] = None
        key = drafts[key].parent
    found = memo.get(key)
    memo.update(dict.fromkeys(trail, found))
    return found


def _parents_first(parents: dict[str, str | None], drafts: dict[str, _Draft]) -> list[str]:
    """The shown nodes, parents before children, each in order of creation."""
    children: dict[str | None, list[str]] = {}
    for key, parent in parents.items():
        children.setdefault(parent, []).append(key)
    ready = [(drafts[key].order, key) for key in children.get(None, [])]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        ordered.append(key := heapq.heappop(ready)[1])
        for child in children.get(key, []):
            heapq.heappush(ready, (drafts[child].order, child))
    if len(ordered) < len(parents):  # some are their own ancestors
        raise MalformedError("cycle")
    return ordered


def _merge_same_role(ordered: list[str], parents: dict, drafts: dict) -> dict[str, str]:
    """Merge a message into its only child when both have one role (an answer continued
    after a tool call), so that branches alternate question and answer. One with more
    children stays: merged into each, its text would be copied once per child, without
    bound in a hostile file. Returns each merged message's heir, which took its place."""
    children = Counter(parents.values())
    heirs: dict[str, str] = {}
    for key in ordered:
        parent = parents[key]
        if parent is None or children[parent] > 1 or drafts[parent].role is not drafts[key].role:
            continue
        drafts[parent].texts += drafts[key].texts  # the parent's lists, never copied
        drafts[parent].files += drafts[key].files
        drafts[key].texts, drafts[key].files = drafts[parent].texts, drafts[parent].files
        parents[key] = parents[parent]
        heirs[parent] = key
    return heirs


def _message(draft: _Draft) -> ChatMessage:
    """The draft's texts joined; its calls as steps where they came, each with the result
    that followed it and its sources numbered across the answer."""
    text = ""
    steps: list[ToolStep] = []
    numbered: dict[str, Source] = {}
    for item in draft.texts:
        if isinstance(item, str):
            text = f"{text}{MERGE_SEPARATOR}{item}" if text and item else text or item
        elif isinstance(item, _Call) and len(steps) < MAX_STEPS:
            arguments = {"input": item.sent} if item.sent else {}
            steps.append(ToolStep(f"chatgpt_{len(steps) + 1}", item.name, arguments=arguments,
                                  status=StepStatus.DONE, text_at=len(text),
                                  round=len(steps) + 1))  # fmt: skip
        elif isinstance(item, _Result) and steps and not steps[-1].result:
            sources = tuple(_numbered(title, url, numbered) for title, url in item.sources)
            steps[-1] = replace(steps[-1], result=item.text,
                                sources=tuple(s for s in sources if s is not None))  # fmt: skip
    return ChatMessage(role=draft.role, content=text, attachments=tuple(draft.files),
                       steps=tuple(steps))  # fmt: skip


def _numbered(title: str, url: str, numbered: dict[str, Source]) -> Source | None:
    """The source at ``url``, numbered once per answer (only http and https links)."""
    if url in numbered:
        return numbered[url]
    found = checked_source(len(numbered) + 1, title, url)
    if found is not None:
        numbered[url] = found
    return found


def read_conversation(data: dict[str, Any]) -> Read:
    """One conversation's tree, of the messages ChatGPT shows."""
    mapping = get(data, "mapping", dict, {})
    drafts = {key: _draft(node, place) for place, (key, node) in enumerate(mapping.items())}
    memo: dict[str | None, str | None] = {}
    shown = [key for key, draft in drafts.items() if draft.role is not None]
    parents = {key: _nearest_shown(drafts[key].parent, drafts, memo) for key in shown}
    ordered = _parents_first(parents, drafts)
    dropped = _merge_same_role(ordered, parents, drafts)
    numbers = {key: n for n, key in enumerate(k for k in ordered if k not in dropped)}
    numbers_of = {**numbers, None: None}
    said = {k: _message(drafts[k]) for k in numbers}
    nodes = tuple(ImportedNode(n, numbers_of[parents[k]], said[k]) for k, n in numbers.items())
    current = _nearest_shown(get(data, "current_node", str), drafts, memo)
    while current in dropped:  # merged into a child
        current = dropped[current]
    # Without one, the last created: it has no child.
    at = numbers[current] if current is not None else len(nodes) - 1 if nodes else None
    times = (from_epoch(data.get("create_time")), from_epoch(data.get("update_time")))
    return nodes, at, times, {}
