"""The app's own stylesheet, one fixed string drawn once per run (no visitor's text in it)."""

from __future__ import annotations

import streamlit as st

__all__ = ["apply_styles"]

_STYLE = """<style>
/* The chat list: every row links to the chat page, which Streamlit marks as the page
   shown; only the conversation on the page is highlighted, titles stay on one line,
   rows sit close. */
.st-key-chat_list { gap: 0.125rem; }
[class*="st-key-chat_row_"] a[data-testid="stPageLink-NavLink"] p {
  font-weight: 400; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
[class*="st-key-chat_row_other_"] a[data-testid="stPageLink-NavLink"] {
  background-color: transparent;
}
[class*="st-key-chat_row_other_"] a[data-testid="stPageLink-NavLink"]:hover {
  background-color: rgba(151, 166, 195, 0.15);
}
[class*="st-key-chat_row_current_"] a[data-testid="stPageLink-NavLink"] p { font-weight: 600; }
[class*="st-key-chat_row_"] [data-testid="stPopoverButton"] div[aria-hidden="true"] {
  display: none;
}
/* On touch screens there is no hover: a code block's copy button is always shown. */
@media (hover: none) {
  [data-testid="stCode"] > pre + div { opacity: 1; visibility: visible; }
}
</style>"""


def apply_styles() -> None:
    st.html(_STYLE)
