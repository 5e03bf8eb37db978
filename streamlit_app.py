"""Entry point: page config and navigation; each page lives in ``pages/``."""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from chat_core.provider.warmup import warm_up
from components.auth import auth_configured
from components.context import build_page_context, serving
from components.projects import PROJECT_URL
from components.run_turns import run_begins
from components.share import SHARED_PAGE
from components.styles import apply_styles

PAGES_DIR = Path(__file__).parent / "pages"


@st.cache_resource(show_spinner=False)
def _start_warm_up(base_url: str | None, request_timeout: float) -> threading.Thread:
    """Warm up once per process and server, in the background, off any visitor's path."""
    thread = threading.Thread(
        target=warm_up,
        kwargs={"base_url": base_url, "request_timeout": request_timeout},
        name="chat-warm-up",
        daemon=True,
    )
    thread.start()
    return thread


def main() -> None:
    # Every run waits its turn at the process's CPU, those that answer first: with many
    # visitors at once, the first words reach each browser before anyone's sidebar.
    with run_begins():
        run_page()


def run_page() -> None:
    context = build_page_context()
    _start_warm_up(context.configured.base_url, context.configured.request_timeout)
    t = context.t
    st.set_page_config(page_title=t("app.title"), page_icon="💬", layout="centered")
    apply_styles()
    if auth_configured() and not context.visitor.allowed:
        # Nobody reaches the chat without signing in, and only allowed users after it.
        pages = [st.Page(PAGES_DIR / "sign_in.py", title=t("nav.sign_in"), icon="🔑")]
    else:
        pages = [
            st.Page(PAGES_DIR / "chat.py", title=t("nav.chat"), icon="💬", default=True),
            st.Page(PAGES_DIR / "history.py", title=t("nav.history"), icon="🗂️"),
            st.Page(PAGES_DIR / "usage.py", title=t("nav.usage"), icon="📊"),
            # A project's page opens from the sidebar's list of projects (?p=<id>).
            st.Page(
                PAGES_DIR / "project.py",
                title=t("nav.project"),
                icon="📁",
                url_path=PROJECT_URL,
                visibility="hidden",
            ),
        ]
    if context.configured.sharing:
        # A shared link opens for anyone who has it; the page asks for sign-in itself
        # where the deployer requires it (CHAT_SHARING_REQUIRES_SIGN_IN).
        pages.append(
            st.Page(
                PAGES_DIR / "shared.py",
                title=t("nav.shared"),
                icon="🔗",
                url_path=SHARED_PAGE,
                visibility="hidden",
            )
        )
    with serving(context):
        st.navigation(pages).run()


if __name__ == "__main__":
    main()
