"""The databases tests run on: SQLite always, PostgreSQL where CHAT_TEST_DATABASE_URL
names one (scripts/test starts one; CI must)."""

from __future__ import annotations

import os

__all__ = ["POSTGRES_URL"]

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL")
