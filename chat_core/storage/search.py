"""One page of an owner's conversations, as the History page shows them: searched in
every version, counted, cut by LIMIT and OFFSET in the database; then, for that page's
rows only, their message counts and where the words searched for were found."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Text, case, cast, func, literal, select, tuple_
from sqlalchemy.engine import Connection, Engine

from chat_core.storage.listing import (
    ConversationSummary,
    branches,
    like_pattern,
    matching,
    summary_columns,
    summary_from,
)
from chat_core.storage.schema import attachments, conversations, messages

__all__ = ["COUNT_LIMIT", "Found", "HistoryPage", "history_page"]

# A search counts its matches up to this many past the page shown ("more than ..."):
# counting every match of a common word would read every message each time.
COUNT_LIMIT = 1000
# The stretch of a message read around the words found: the snippet is cut from it.
_BEFORE = 120
_AFTER = 360


@dataclass(frozen=True)
class Found:
    """Where a conversation matched: ``text`` is a stretch of a message around the
    words (``cut_before``/``cut_after``: the message goes on), or a file's name."""

    text: str
    on_screen: bool  # False: only in a version that is not on screen
    in_file: bool = False
    cut_before: bool = False
    cut_after: bool = False


@dataclass(frozen=True)
class HistoryPage:
    """``items`` from ``offset`` on; ``total`` conversations (with ``more``: more than
    that many match, they were not all counted); ``found`` by conversation id."""

    items: list[ConversationSummary]
    offset: int
    total: int
    more: bool = False
    found: dict[str, Found] = field(default_factory=dict)


def history_page(
    engine: Engine, owner: str, *, search: str, offset: int, limit: int
) -> HistoryPage:
    """See ConversationStore.page."""
    pattern = like_pattern(search)
    chosen = conversations.c.owner == owner
    if pattern is not None:
        chosen = chosen & matching(pattern)
    offset = max(0, offset)
    with engine.connect() as connection:
        ceiling = None if pattern is None else max(COUNT_LIMIT, offset + limit)
        total = _count(connection, chosen, ceiling)
        more = ceiling is not None and total > ceiling
        total = min(total, ceiling) if more else total
        if offset >= total and not more:
            offset = max(0, (total - 1) // limit * limit)  # past the end: the last page
        query = select(*summary_columns(literal(0))).where(chosen)
        query = query.order_by(conversations.c.updated_at.desc(), conversations.c.id)
        rows = connection.execute(query.limit(limit).offset(offset)).all()
        ids = [row[0] for row in rows]
        counts = _counts(connection, ids)
        items = [summary_from(row, counts.get(row[0], 0)) for row in rows]
        found = {} if pattern is None else _found(connection, ids, pattern, search.strip())
    return HistoryPage(items, offset, total, more, found)


def _count(connection: Connection, chosen, ceiling: int | None) -> int:
    """How many conversations are ``chosen``, counting no further than ``ceiling`` + 1."""
    ids = select(conversations.c.id).where(chosen)
    if ceiling is not None:
        ids = ids.limit(ceiling + 1)
    return connection.execute(select(func.count()).select_from(ids.subquery())).scalar_one()


def _counts(connection: Connection, ids: list[str]) -> dict[str, int]:
    """The number of messages on the branch on screen of each of ``ids``."""
    if not ids:
        return {}
    branch = branches(conversations.c.id.in_(ids))
    query = select(branch.c.conversation_id, func.count()).group_by(branch.c.conversation_id)
    return dict(connection.execute(query).all())


def _found(connection: Connection, ids: list[str], pattern: str, words: str) -> dict[str, Found]:
    """Where each of ``ids`` matched, best first: a message on screen, a file on screen,
    a message of another version, a file of another version (none: only its title)."""
    branch = branches(conversations.c.id.in_(ids))
    like = {"escape": "\\"}
    text_here = select(branch.c.conversation_id, func.min(branch.c.position)).where(
        branch.c.content.ilike(pattern, **like)
    )
    on_screen = dict(connection.execute(text_here.group_by(branch.c.conversation_id)).all())
    rest = [i for i in ids if i not in on_screen]
    elsewhere = {}
    if rest:
        text_there = select(messages.c.conversation_id, func.min(messages.c.position)).where(
            messages.c.conversation_id.in_(rest) & messages.c.content.ilike(pattern, **like)
        )
        elsewhere = dict(connection.execute(text_there.group_by(messages.c.conversation_id)).all())
    found = _stretches(connection, {**elsewhere, **on_screen}, words, set(on_screen))
    rest = [i for i in ids if i not in found]
    if rest:
        found.update(_files(connection, branch, rest, pattern))
    return found


def _stretches(
    connection: Connection, chosen: dict[str, int], words: str, on_screen: set[str]
) -> dict[str, Found]:
    """A bounded stretch of each chosen message, around the first place of ``words``
    (read by the database: a message may be megabytes long)."""
    if not chosen:
        return {}
    content = func.lower(messages.c.content)
    wanted = func.lower(cast(literal(words), Text))
    if connection.dialect.name == "sqlite":
        place = func.instr(content, wanted)
    else:
        place = func.strpos(content, wanted)
    start = case((place > _BEFORE, place - _BEFORE), else_=1)
    length = _BEFORE + len(words) + _AFTER
    query = select(
        messages.c.conversation_id,
        func.substr(messages.c.content, start, length),
        start,
        func.length(messages.c.content),
    ).where(tuple_(messages.c.conversation_id, messages.c.position).in_(list(chosen.items())))
    return {
        conversation_id: Found(
            text,
            conversation_id in on_screen,
            cut_before=first > 1,
            cut_after=first - 1 + len(text) < whole,
        )
        for conversation_id, text, first, whole in connection.execute(query)
    }


def _files(connection: Connection, branch, ids: list[str], pattern: str) -> dict[str, Found]:
    """The first file name matching in each of ``ids``: on screen, else in any version."""
    name = attachments.c.name.ilike(pattern, escape="\\")
    here = (
        select(branch.c.conversation_id, func.min(attachments.c.name))
        .select_from(
            branch.join(
                attachments,
                (attachments.c.conversation_id == branch.c.conversation_id)
                & (attachments.c.position == branch.c.position),
            )
        )
        .where(branch.c.conversation_id.in_(ids) & name)
        .group_by(branch.c.conversation_id)
    )
    found = {i: Found(n, True, in_file=True) for i, n in connection.execute(here)}
    rest = [i for i in ids if i not in found]
    if rest:
        there = (
            select(attachments.c.conversation_id, func.min(attachments.c.name))
            .where(attachments.c.conversation_id.in_(rest) & name)
            .group_by(attachments.c.conversation_id)
        )
        found.update({i: Found(n, False, in_file=True) for i, n in connection.execute(there)})
    return found
