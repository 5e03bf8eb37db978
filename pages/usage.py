"""The usage page: tokens and cost by day and model, and the thumbs answers got; yours, or
everyone's for admins."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from chat_core.usage.prices import cost
from chat_core.usage.tokens import Usage
from components.context import page_context
from components.dates import visitor_zone
from components.persistence import guarded

context = page_context()
t, store, prices = context.t, context.store, context.configured.prices
owner, identity, is_admin = (
    context.visitor.owner,
    context.visitor.identity,
    context.visitor.is_admin,
)

st.title(t("usage.title"))
rows = None
if store is not None:
    whose, zone = None if is_admin else identity, visitor_zone()  # days as the sidebar's
    rows = guarded("report usage", lambda: store.usage_report(whose, zone))
if rows is None:
    st.warning(t("history.unavailable"), icon=":material/database:")
elif not rows:
    st.caption(t("usage.none"))
else:
    table = pd.DataFrame(rows)
    table["cost"] = [
        cost(Usage(r["input_tokens"], r["output_tokens"], r["model"]), prices) for r in rows
    ]
    table["tokens"] = table["input_tokens"] + table["output_tokens"]
    if is_admin:
        st.caption(t("usage.everyone"))
    totals = st.columns(3)
    totals[0].metric(t("usage.answers"), f"{int(table['answers'].sum()):,}")
    totals[1].metric(t("usage.total_tokens"), f"{int(table['tokens'].sum()):,}")
    known = table["cost"].dropna()
    totals[2].metric(t("usage.total_cost"), f"${known.sum():.4f}" if len(known) else "—")
    st.bar_chart(table, x="day", y="tokens", color="model", x_label="", y_label="")
    unpriced = t("usage.unpriced")  # a model without a price has no cost to show
    table["cost"] = [unpriced if pd.isna(c) else f"${c:.4f}" for c in table["cost"]]
    columns = ["day", "model", "answers", "input_tokens", "output_tokens", "cost"]
    if table["reasoning_tokens"].sum():  # only where a server reported thinking tokens
        columns.insert(5, "reasoning_tokens")
    if is_admin:
        columns.insert(0, "owner")
    st.dataframe(
        table[columns],
        hide_index=True,
        column_config={
            "owner": t("usage.owner"),
            "day": t("usage.day"),
            "model": t("sidebar.model"),
            "answers": t("usage.answers"),
            "input_tokens": t("usage.input"),
            "output_tokens": t("usage.output"),
            "reasoning_tokens": t("usage.reasoning_column"),
            "cost": st.column_config.TextColumn(t("usage.cost_column")),
        },
    )


def _render_feedback(rows: list[dict], *, everyone: bool) -> None:
    """The answers that got thumbs: counts, then the latest with their comments."""
    st.subheader(t("feedback.title"))
    if not rows:
        st.caption(t("feedback.none"))
        return
    table = pd.DataFrame(rows)
    counts = st.columns(2)
    counts[0].metric(t("feedback.up"), f"{int((table['rating'] == 'up').sum()):,}")
    counts[1].metric(t("feedback.down"), f"{int((table['rating'] == 'down').sum()):,}")
    table["rating"] = table["rating"].map({"up": "👍", "down": "👎"})
    columns = ["at", "title", "rating", "comment", "answer"]
    if everyone:
        columns.insert(1, "owner")
    st.dataframe(
        table[columns],
        hide_index=True,
        column_config={
            "at": st.column_config.DatetimeColumn(t("feedback.at"), format="YYYY-MM-DD HH:mm"),
            "owner": t("usage.owner"),
            "title": t("feedback.conversation"),
            "rating": t("feedback.rating"),
            "comment": t("feedback.comment"),
            "answer": t("feedback.answer"),
        },
    )


if store is not None and (owner or is_admin):
    feedback_rows = guarded(
        "report feedback", lambda: store.feedback_report(None if is_admin else owner)
    )
    if feedback_rows is not None:
        _render_feedback(feedback_rows, everyone=is_admin)
