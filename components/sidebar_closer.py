"""On a phone, the sidebar closes when a conversation is picked in it.

Streamlit closes its sidebar on a narrow screen when one of its own navigation links
is tapped, but not for ``st.page_link`` (the chat list's rows): the drawer stayed over
the conversation just opened. This component (v2: no iframe, nothing drawn) listens for
a tap on a link in the sidebar and, on a screen as narrow as Streamlit's own breakpoint
for an overlaid sidebar, presses the sidebar's own collapse button.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["CLOSER_KEY", "close_sidebar_on_pick"]

# The element's key: Streamlit marks its container ``st-key-sidebar_closer``
# (components/styles.py gives it no room).
CLOSER_KEY = "sidebar_closer"

# 768 px less a little: Streamlit's "md" breakpoint, below which the sidebar overlays
# the page.
_JS = """
export default function () {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  if (!sidebar) { return; }
  const onClick = (event) => {
    const picked = 'a[data-testid="stPageLink-NavLink"], .st-key-new_chat button';
    if (!event.target.closest(picked) || window.innerWidth > 767.98) { return; }
    const collapse = sidebar.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (collapse) { setTimeout(() => collapse.click(), 0); }
  };
  sidebar.addEventListener("click", onClick);
  return () => sidebar.removeEventListener("click", onClick);
}
"""

_closer_component = st.components.v2.component(
    "chat_sidebar_closer",
    html="<span></span>",
    js="\n".join(line.strip() for line in _JS.strip().splitlines()),
)


def close_sidebar_on_pick() -> None:
    """Mount once per run, inside the sidebar."""
    _closer_component(key=CLOSER_KEY, width="content")
