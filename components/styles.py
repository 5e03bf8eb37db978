"""The app's own stylesheet, one fixed string drawn once per run (no visitor's text in it)."""

from __future__ import annotations

import streamlit as st

__all__ = ["apply_styles"]

_STYLE = """<style>
/* The chat list: every row links to the chat page, which Streamlit marks as the page
   shown; only the conversation on the page is highlighted, titles stay on one line,
   rows sit close. */
.st-key-chat_list { gap: 0.125rem; }
[class*="st-key-chat_row_"] { flex-wrap: nowrap; }
[class*="st-key-chat_row_"] > * { min-width: 0; }
[class*="st-key-chat_row_"] > :last-child { flex: 0 0 auto; }
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
/* The import box states its limit once, in the page's language, under it: not also
   Streamlit's "64MB per file" (what the box takes, a little above the limit). */
.st-key-import_file [data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
/* On touch screens there is no hover: a code block's copy button is always shown. */
@media (hover: none) {
  [data-testid="stCode"] > pre + div { opacity: 1; visibility: visible; }
}
/* A fenced code block's language, at its top left (the copy button is at the top right).
   Streamlit marks the language only as the code's class, "language-python", so the label
   shows that class with its first 9 characters ("language-") pushed out of its box: in a
   monospace font 9ch is exactly their width. It sits in the room the block makes above
   its code, outside the code's horizontal scroll; a block without a language has none. */
[data-testid="stCode"]:has(> pre code[class^="language-"]:not(.language-plaintext)) > pre {
  padding-top: 2.25rem;
}
[data-testid="stCode"] > pre code[class^="language-"]:not(.language-plaintext)::before {
  content: attr(class); position: absolute; top: 0.625rem; left: 1rem;
  max-width: calc(100% - 4.5rem); overflow: hidden; text-indent: -9ch;
  white-space: nowrap; text-overflow: ellipsis; font-size: 0.75rem; line-height: 1rem;
  opacity: 0.7; pointer-events: none; user-select: none;
}
/* Icon buttons (versions, and Regenerate / Edit above the last turn) carry their words as
   their label, for screen readers and tests, shown only as the tooltip. */
[class*="st-key-older_"] button [data-testid="stMarkdownContainer"],
[class*="st-key-newer_"] button [data-testid="stMarkdownContainer"],
[class*="st-key-regenerate_"] button [data-testid="stMarkdownContainer"],
[class*="st-key-edit_"]:not(.st-key-edit_last) button [data-testid="stMarkdownContainer"],
[class*="st-key-unqueue_"] button [data-testid="stMarkdownContainer"],
[class*="st-key-chat_row_"] [data-testid="stPopoverButton"] [data-testid="stMarkdownContainer"] {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap;
}
/* A long paragraph still being written is drawn in pieces (chat_core/markdown/stream_layout.py):
   they flow as one paragraph, not as paragraphs of their own (over the layout's own
   generated rules, hence !important). */
[class*="st-key-answer_flow_"] { display: block !important; }
[class*="st-key-answer_flow_"] * { display: inline !important; }
/* The jump-to-latest button (components/jump_to_latest.py) is fixed over the chat input:
   its element takes no room in the page. */
.st-key-jump_to_latest { position: absolute; width: 0; height: 0; overflow: visible; }
/* The sidebar's closer (components/sidebar_closer.py) draws nothing. */
.st-key-sidebar_closer { position: absolute; width: 0; height: 0; overflow: hidden; }
</style>"""


def apply_styles() -> None:
    st.html(_STYLE)
