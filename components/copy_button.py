"""A copy button for a message's Markdown source (Streamlit has none for chat messages).

A Streamlit component (v2: no iframe, mounted in the page) whose click writes the
text to the clipboard in the browser, with no round trip to the server and no
rerun. The text travels as component data, never as HTML, so it is not rendered.
"""

from __future__ import annotations

import streamlit as st

from chat_core.i18n import Translator

__all__ = ["copy_button"]

# Material Symbols "content_copy" and "check", inline: no font or network needed.
# ruff: noqa: E501

_HTML = """<button type="button" class="copy" part="button">
<svg class="icon copy-icon" viewBox="0 -960 960 960" aria-hidden="true"><path d="M360-240q-33 0-56.5-23.5T280-320v-480q0-33 23.5-56.5T360-880h360q33 0 56.5 23.5T800-800v480q0 33-23.5 56.5T720-240H360Zm0-80h360v-480H360v480ZM200-80q-33 0-56.5-23.5T120-160v-560h80v560h440v80H200Zm160-240v-480 480Z"/></svg>
<svg class="icon done-icon" viewBox="0 -960 960 960" aria-hidden="true"><path d="M382-240 154-468l57-57 171 171 367-367 57 57-424 424Z"/></svg>
<span class="done-label" role="status"></span>
</button>"""

_CSS = """
.copy {
  display: flex; align-items: center; gap: 0.25rem;
  background: transparent; border: none; border-radius: 0.5rem;
  padding: 0.25rem 0.4rem; cursor: pointer;
  color: var(--st-text-color, #31333f); opacity: 0.6;
  font: inherit; font-size: 0.875rem; line-height: 1;
}
.copy:hover, .copy:focus-visible { opacity: 1; background: rgba(151, 166, 195, 0.15); }
.copy:focus-visible { outline: 2px solid var(--st-primary-color, #ff4b4b); }
.icon { width: 1.1rem; height: 1.1rem; fill: currentColor; }
.done-icon, .copy.done .copy-icon { display: none; }
.copy.done .done-icon { display: inline; }
.copy.done { opacity: 1; }
"""

# Writes data.text to the clipboard; falls back to execCommand where the async
# clipboard API is missing (a page served over plain HTTP on a LAN address).
_JS = """
export default function ({ parentElement, data }) {
  const button = parentElement.querySelector("button.copy");
  const doneLabel = parentElement.querySelector(".done-label");
  button.title = data.label;
  button.setAttribute("aria-label", data.label);
  const fallbackCopy = (text) => {
    const area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    if (!copied) throw new Error("copy refused");
  };
  button.onclick = async () => {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(data.text);
      } else {
        fallbackCopy(data.text);
      }
      doneLabel.textContent = data.done;
    } catch (error) {
      doneLabel.textContent = data.failed;
    }
    button.classList.add("done");
    clearTimeout(button.resetTimer);
    button.resetTimer = setTimeout(() => {
      button.classList.remove("done");
      doneLabel.textContent = "";
    }, 2000);
  };
}
"""

_copy_component = st.components.v2.component("chat_copy_button", html=_HTML, css=_CSS, js=_JS)


def copy_button(text: str, *, key: str, t: Translator) -> None:
    """A button that puts ``text`` on the visitor's clipboard."""
    _copy_component(
        key=key,
        data={
            "text": text,
            "label": t("chat.copy"),
            "done": t("chat.copied"),
            "failed": t("chat.copy_failed"),
        },
        width="content",
    )
