"""``st.secrets``, read only when a secrets file exists.

Without one, every read of ``st.secrets`` tries to parse again: under a lock shared by
all sessions, it asks the config (another lock), looks at the disk and raises. Fifty
visitors sending at once then wait on each other before a single request is sent.
Whether a file exists is one look at the disk; with a file, Streamlit keeps it parsed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit import get_option
from streamlit.runtime.secrets import secrets_singleton

__all__ = ["secrets"]


def _a_file_exists() -> bool:
    return any(os.path.exists(path) for path in get_option("secrets.files"))


def secrets() -> Mapping[str, Any]:
    """The secrets, or an empty mapping when there are none (or they cannot be read).

    Secrets given another way (AppTest replaces ``st.secrets`` with its own) are read.
    """
    if st.secrets is secrets_singleton and not _a_file_exists():
        return {}
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # StreamlitSecretNotFoundError: a broken file reads as none
        return {}
