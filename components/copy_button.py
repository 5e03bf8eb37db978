"""A copy button for a message's Markdown source (Streamlit has none for chat messages).

A Streamlit component (v2: no iframe, mounted in the page) whose click writes the
text to the clipboard in the browser, with no round trip to the server and no
rerun. The text travels as component data, never as HTML, so it is not rendered.

Every mount carries the component's HTML, CSS and JS, once per message on the
page, so they are kept small: the icons are the Material Symbols font Streamlit
already loads. The component has no key: a keyed one is part of
``st.session_state``, which Streamlit scans whole each time a keyed widget (a
sidebar slider, say) is drawn, and 40 of them slowed every run down. The
message's id in the data keeps two identical messages apart.
"""

from __future__ import annotations

import re

import streamlit as st

from chat_core.i18n import Translator

__all__ = ["copy_button", "copy_link_button"]

_HTML = (
    '<button type="button" class="copy"><span class="icon"></span><span class="done"></span>'
    "</button>"
)

_CSS = """
.copy { display: flex; align-items: center; gap: 0.25rem; background: transparent;
  border: none; border-radius: 0.5rem; padding: 0.25rem 0.4rem; cursor: pointer;
  color: var(--st-text-color, #31333f); opacity: 0.6; font: inherit; font-size: 0.875rem; }
.copy:hover, .copy:focus-visible, .copy.copied { opacity: 1; }
.copy:hover { background: rgba(151, 166, 195, 0.15); }
.copy:focus-visible { outline: 2px solid var(--st-primary-color, #ff4b4b); }
.icon { font-family: "Material Symbols Rounded"; font-size: 1.1rem; line-height: 1; }
"""

# Writes data.text to the clipboard; falls back to execCommand where the async
# clipboard API is missing (a page served over plain HTTP on a LAN address).
_JS = """
export default function ({ parentElement, data }) {
  const button = parentElement.querySelector(".copy");
  const icon = parentElement.querySelector(".icon");
  const done = parentElement.querySelector(".done");
  const show = (symbol, label) => { icon.textContent = symbol; done.textContent = label; };
  button.title = data.label;
  button.setAttribute("aria-label", data.label);
  if (!button.classList.contains("copied")) { show("content_copy", ""); }
  const fallbackCopy = (text) => {
    const area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    if (!copied) { throw new Error("copy refused"); }
  };
  button.onclick = async () => {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(data.text);
      } else {
        fallbackCopy(data.text);
      }
      show("check", data.done);
    } catch (error) {
      show("error", data.failed);
    }
    button.classList.add("copied");
    clearTimeout(button.resetTimer);
    button.resetTimer = setTimeout(() => {
      button.classList.remove("copied");
      show("content_copy", "");
    }, 2000);
  };
}
"""


def _compact(source: str) -> str:
    """Whitespace runs as one space (the JS above ends its statements with semicolons)."""
    return re.sub(r"\s+", " ", source).strip()


_copy_component = st.components.v2.component(
    "chat_copy_button", html=_HTML, css=_compact(_CSS), js=_compact(_JS)
)

# The same button with its name written on it (a share link's "Copy link"): a component
# of its own, so that the one under every message carries no byte more.
_LABELLED_HTML = (
    '<button type="button" class="copy labelled"><span class="icon"></span>'
    '<span class="label"></span><span class="done"></span></button>'
)
_LABELLED_CSS = (
    _CSS + ".labelled { opacity: 1; border: 1px solid rgba(151, 166, 195, 0.4);"
    " padding: 0.3rem 0.6rem; }"
)
_LABELLED_JS = _JS.replace(
    "button.title = data.label;",
    'button.title = data.label; parentElement.querySelector(".label").textContent = data.label;',
)
_copy_link_component = st.components.v2.component(
    "chat_copy_link", html=_LABELLED_HTML, css=_compact(_LABELLED_CSS), js=_compact(_LABELLED_JS)
)


def copy_button(text: str, *, message_id: str, t: Translator) -> None:
    """A button that puts ``text`` on the visitor's clipboard."""
    _copy_component(
        data={
            "message": message_id,
            "text": text,
            "label": t("chat.copy"),
            "done": t("chat.copied"),
            "failed": t("chat.copy_failed"),
        },
        width="content",
    )


def copy_link_button(url: str, *, place: str, t: Translator) -> None:
    """A visible "Copy link" button that puts ``url`` on the visitor's clipboard;
    ``place`` tells apart two buttons for one link on a page."""
    _copy_link_component(
        data={
            "message": f"{place}:{url}",
            "text": url,
            "label": t("share.copy_link"),
            "done": t("chat.copied"),
            "failed": t("chat.copy_failed"),
        },
        width="content",
    )
