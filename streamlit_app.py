"""Entry point: page config and navigation; each page lives in ``pages/``."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from chat_core.i18n import Translator
from components.config import configured_settings, session_language

PAGES_DIR = Path(__file__).parent / "pages"


def main() -> None:
    t = Translator(session_language(configured_settings()[0]))
    st.set_page_config(page_title=t("app.title"), page_icon="💬", layout="centered")
    pages = [st.Page(PAGES_DIR / "chat.py", title=t("nav.chat"), icon="💬", default=True)]
    st.navigation(pages).run()


if __name__ == "__main__":
    main()
