"""Dates shown in the visitor's time zone and language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from chat_core.i18n import Translator

__all__ = ["local_date", "visitor_zone"]


def visitor_zone() -> ZoneInfo:
    """The browser's time zone (UTC when it does not say or says something unknown)."""
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_date(moment: datetime, t: Translator) -> str:
    """``moment`` in the browser's time zone, formatted for the visitor's language."""
    return moment.astimezone(visitor_zone()).strftime(t("history.date_format"))
