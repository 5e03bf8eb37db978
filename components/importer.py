"""Import on the History page: the app's own JSON export or ChatGPT's conversations.json.

The file is read when it is chosen (a callback, so a rerun never imports it twice), and
what happened is said once: how many were added, already there, or unreadable.
"""

from __future__ import annotations

import streamlit as st

from chat_core.files.attachments import human_size
from chat_core.i18n import Translator
from chat_core.markdown.visitor_text import escape_markdown
from chat_core.transfer.import_child import read_import_isolated
from chat_core.transfer.import_files import IMPORT_LIMIT_BYTES, IMPORT_UPLOAD_MB, ImportRefused
from components.persistence import OwnerHistory

__all__ = ["render_import"]

_UPLOAD = "import_file"
_REPORT = "import_report"
_NAMED = 5  # conversations not stored named in the report; the others counted


def _refusal(refused: ImportRefused, t: Translator) -> str:
    details = dict(refused.details)
    if "what" in details:
        details["what"] = t(f"import.{details['what']}")
    return t(f"import.{refused.reason}", **details)


def _import(history: OwnerHistory, t: Translator) -> None:
    upload = st.session_state.get(_UPLOAD)
    if upload is None:
        return
    try:
        result = read_import_isolated(upload.getvalue())
    except ImportRefused as refused:
        st.session_state[_REPORT] = [("error", _refusal(refused, t))]
        return
    added = duplicates = adjusted = 0
    failed: list[str] = []
    for conversation in result.conversations:
        stored, new_id = history.import_conversation(conversation)
        added += stored and new_id is not None
        adjusted += stored and new_id is not None and bool(conversation.adjusted)
        duplicates += stored and new_id is None
        if not stored:
            failed.append(conversation.title)
    report = []
    if added:
        report.append(("success", t("history.import_done", count=added)))
    if duplicates:
        report.append(("info", t("history.import_duplicates", count=duplicates)))
    if adjusted:
        report.append(("warning", t("history.import_adjusted", count=adjusted)))
    if result.skipped:
        report.append(("warning", t("history.import_skipped", count=result.skipped)))
    if failed:
        report.append(("error", _not_stored(failed, t)))
    st.session_state[_REPORT] = report or [("info", t("history.import_nothing"))]


def _not_stored(titles: list[str], t: Translator) -> str:
    """Which conversations the database did not take, the first few by title."""
    named = ", ".join(f"“{escape_markdown(title)}”" for title in titles[:_NAMED])
    if len(titles) > _NAMED:
        named += t("history.import_and_more", count=len(titles) - _NAMED)
    return t("history.import_failed", count=len(titles), titles=named)


def render_import(history: OwnerHistory, t: Translator) -> None:
    """A fold with the file chooser, and what the last import did."""
    report = st.session_state.pop(_REPORT, None)
    with st.expander(t("history.import"), icon=":material/upload_file:", expanded=bool(report)):
        st.file_uploader(
            t("history.import"),
            type=["json"],
            key=_UPLOAD,
            max_upload_size=IMPORT_UPLOAD_MB,
            on_change=_import,
            args=(history, t),
            label_visibility="collapsed",
        )
        st.caption(t("history.import_help", limit=human_size(IMPORT_LIMIT_BYTES)))
        for kind, text in report or ():
            getattr(st, kind)(text)
