"""The History page's list: a search box first, then one page of conversations (each a
link to its address, where the search found it, and one button for its actions), counts,
and Previous / Next. Only the page shown is read and drawn, so the page costs the same
with ten conversations or ten thousand."""

from __future__ import annotations

import re

import streamlit as st

from chat_core.conversation.snippets import snippet
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown, shorten
from chat_core.storage.listing import ConversationSummary
from chat_core.storage.search import Found, HistoryPage
from components.dates import local_date
from components.history_actions import CHAT_PAGE, ask_for_actions
from components.persistence import OwnerHistory

__all__ = ["PAGE_SIZE", "render_list"]

PAGE_SIZE = 50
_SEARCH = "history_search"
_OFFSET = "history_offset"
_TITLE_SHOWN = 90
_MAX_SEARCH = 200  # characters (Streamlit cuts a longer value on the server too)
_MARK = ":orange-background[{}]"  # Streamlit's own Markdown, around escaped text only
# What would make a line of text a heading or a list item at its start.
_BLOCK_START = re.compile(r"^(?:(?P<sign>[#+-])|(?P<number>\d+)(?P<dot>[.)]))")


def _first_page() -> None:
    st.session_state[_OFFSET] = 0


def _turn(step: int) -> None:
    st.session_state[_OFFSET] = max(0, st.session_state.get(_OFFSET, 0) + step)


def render_list(history: OwnerHistory, t: Translator) -> HistoryPage | None:
    """Draw the search box and the page of conversations; None when the database fails."""
    words = st.text_input(
        t("history.search"),
        placeholder=t("history.search_placeholder"),
        key=_SEARCH,
        max_chars=_MAX_SEARCH,
        on_change=_first_page,
    ).strip()
    page = history.page(words, st.session_state.get(_OFFSET, 0), PAGE_SIZE)
    if page is None:
        st.warning(t("history.unavailable"), icon=":material/database:")
        return None
    st.session_state[_OFFSET] = page.offset  # past the end (after deletions): the last page
    if not page.items:
        st.caption(t("history.no_match") if words else t("history.none"))
        return page
    st.caption(_counts(page, t))
    for item in page.items:
        _row(item, page.found.get(item.id), words, t)
    _pager(page, t)
    return page


def _counts(page: HistoryPage, t: Translator) -> str:
    first, last = page.offset + 1, page.offset + len(page.items)
    key = "history.count_more" if page.more else "history.count"
    return t(key, first=f"{first:,}", last=f"{last:,}", total=f"{page.total:,}")


def _row(item: ConversationSummary, found: Found | None, words: str, t: Translator) -> None:
    with st.container(
        key=f"conversation_{item.id}", horizontal=True, vertical_alignment="center", gap="small"
    ):
        with st.container(gap=None):
            st.page_link(
                CHAT_PAGE,
                label=_inline(escape_markdown(shorten(item.title, _TITLE_SHOWN))),  # text
                query_params={"c": item.id},
                icon=":material/push_pin:" if item.pinned else None,
            )
            meta = t("history.meta", date=local_date(item.updated_at, t), count=item.message_count)
            st.caption(meta)
            if found is not None:
                st.caption(_found_markdown(found, words, t))
        st.button(
            "",
            icon=":material/more_horiz:",
            type="tertiary",
            help=t("history.actions"),
            key=f"actions_{item.id}",
            on_click=ask_for_actions,
            args=(item.id,),
        )


def _found_markdown(found: Found, words: str, t: Translator) -> str:
    """Where the search found it, as Markdown: the text escaped, the words marked."""
    shown = snippet(found.text, words, cut_before=found.cut_before, cut_after=found.cut_after)
    marked = "".join(
        _MARK.format(_escaped(part)) if hit else _escaped(part) for part, hit in shown.parts
    )
    marked = _inline(marked)
    if found.in_file:
        marked = t("history.found_file", name=marked)
    if not found.on_screen:
        marked = f"{marked} · *{t('history.found_elsewhere')}*"
    return marked


def _escaped(part: str) -> str:
    """``part`` as literal Markdown, its spaces kept (it sits between marked words)."""
    return " ".join(escape_markdown(word) for word in part.split(" "))


def _inline(markdown: str) -> str:
    """``markdown`` kept on its line: a leading ``#``, ``-`` or ``1.`` shown as written."""
    found = _BLOCK_START.match(markdown)
    if found is None:
        return markdown
    if found["sign"]:
        return "\\" + markdown
    return f"{found['number']}\\{markdown[len(found['number']) :]}"


def _pager(page: HistoryPage, t: Translator) -> None:
    if page.offset == 0 and not page.more and page.total <= PAGE_SIZE:
        return
    with st.container(horizontal=True, gap="small", key="history_pager"):
        st.button(
            t("history.previous"),
            key="history_previous",
            icon=":material/chevron_left:",
            disabled=page.offset == 0,
            on_click=_turn,
            args=(-PAGE_SIZE,),
        )
        st.button(
            t("history.next"),
            key="history_next",
            icon=":material/chevron_right:",
            disabled=page.offset + len(page.items) >= page.total and not page.more,
            on_click=_turn,
            args=(PAGE_SIZE,),
        )
