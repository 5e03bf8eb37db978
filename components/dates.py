"""Dates shown in the visitor's time zone and language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from chat_core.i18n import Translator

__all__ = ["local_date"]


def local_date(moment: datetime, t: Translator) -> str:
    """``moment`` in the browser's time zone, formatted for the visitor's language."""
    try:
        zone = ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime(t("history.date_format"))
