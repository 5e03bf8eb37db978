"""A round "jump to latest" button over the chat input, while an answer is written.

Streamlit follows new content at the bottom of a page with ``st.chat_input`` (its
main section, ``stAppScrollToBottomContainer``, is the element that scrolls), but lets
go of the bottom only when its scroll check finds that the page has not grown since
its last check: while an answer grows quickly it pulls a reader who scrolled up back
down, again and again. And once it has let go, it starts again only on the same
condition at the bottom, which a growing answer rarely gives.

So while the reader is away from the bottom (they scrolled up), this component keeps
Streamlit from scrolling the page down (its animation writes ``scrollTop``; only that
write is refused, for that element, while the reader is away), and shows a button
above the chat input. A click scrolls to the bottom, and the page follows the answer
from there until the reader scrolls up again. At the bottom the button is hidden.

A Streamlit component (v2: no iframe, mounted in the page), mounted once per run that
follows an answer: nothing travels per token, and the page does nothing per token but
what a resize of the page asks. Its element takes no room in the page
(components/styles.py); the button is fixed above the chat input.
"""

from __future__ import annotations

import streamlit as st

from chat_core.i18n import Translator

__all__ = ["JUMP_KEY", "jump_to_latest"]

# The element's key: Streamlit marks its container ``st-key-jump_to_latest``.
JUMP_KEY = "jump_to_latest"

_HTML = (
    '<button type="button" class="jump"><span class="icon" aria-hidden="true">'
    "arrow_downward</span></button>"
)

_CSS = """
.jump { position: fixed; z-index: 100; left: 50%; bottom: 6rem;
  transform: translate(-50%, 0); width: 2.25rem; height: 2.25rem; padding: 0;
  display: flex; align-items: center; justify-content: center; border-radius: 50%;
  cursor: pointer; background: var(--st-background-color, #ffffff);
  color: var(--st-text-color, #31333f);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  box-shadow: 0 2px 6px rgba(0, 0, 0, 0.15);
  opacity: 0; visibility: hidden; transition: opacity 0.15s, visibility 0.15s; }
.jump.shown { opacity: 1; visibility: visible; }
.jump:hover { background: var(--st-secondary-background-color, #f0f2f6); }
.jump:focus-visible { outline: 2px solid var(--st-primary-color, #ff4b4b); outline-offset: 2px; }
.icon { font-family: "Material Symbols Rounded"; font-size: 1.25rem; line-height: 1;
  overflow: hidden; width: 1.25rem; }
@media (prefers-reduced-motion: reduce) { .jump { transition: none; } }
"""

# NEAR: how close to the bottom (px) counts as at the bottom. The reader is away once
# they scroll up (a wheel, a finger or a key upwards, or the page's scroll position
# moving up), not merely when the page is above the bottom: new content leaves it a
# little above for a moment while it follows, and that must not show the button. A
# wheel, finger or key after which the page did not move up (something else scrolled)
# counts for 400 ms only; a wheel can scroll the page before its event is seen, hence
# the 200 ms before it. Coming back to the bottom (by the button or by scrolling down)
# keeps the page there as the answer grows, each growth retargeting one smooth scroll
# (an instant jump during a smooth scroll lets the smooth one carry on back up, which
# is not the reader scrolling up: while it runs, only the reader's own moves count).
_JS = """
export default function ({ parentElement, data }) {
  const NEAR = 8;
  const button = parentElement.querySelector(".jump");
  button.title = data.label;
  button.setAttribute("aria-label", data.label);
  const main = document.querySelector('[data-testid="stAppScrollToBottomContainer"]');
  const scroller = main || document.scrollingElement;
  const events = main || window;
  let lastTop = scroller.scrollTop;
  let lastY = null;
  let away = false;
  let pinned = false;
  const gap = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
  const update = () => {
    if (gap() <= NEAR) { pinned = pinned || away; away = false; }
    button.classList.toggle("shown", away);
  };
  let settle = null;
  let smoothing = false;
  let smoothed = null;
  const onScrollEnd = () => { smoothing = false; };
  let movedUp = -Infinity;
  const leave = () => {
    if (scroller.scrollTop <= 0) { return; }
    const at = performance.now();
    away = true;
    pinned = false;
    if (smoothing) {  // a smooth scroll of ours still under way would carry the reader back down
      smoothing = false;
      scroller.scrollTo({ top: scroller.scrollTop, behavior: "instant" });
    }
    clearTimeout(settle);
    settle = setTimeout(() => { if (movedUp < at - 200) { away = false; update(); } }, 400);
  };
  const onScroll = () => {
    const top = scroller.scrollTop;
    if (top < lastTop - 1 && gap() > NEAR) {
      movedUp = performance.now();
      if (!smoothing) { away = true; pinned = false; }
    }
    lastTop = top;
    update();
  };
  const onWheel = (event) => { if (event.deltaY < 0) { leave(); } };
  const onTouch = (event) => {
    const y = event.touches[0].clientY;
    if (lastY !== null && y > lastY) { leave(); }
    lastY = y;
  };
  const onTouchEnd = () => { lastY = null; };
  const onKey = (event) => {
    const editing = event.target.closest?.("input, textarea, [contenteditable]");
    if (!editing && ["PageUp", "ArrowUp", "Home"].includes(event.key)) { leave(); }
  };
  const native = Object.getOwnPropertyDescriptor(Element.prototype, "scrollTop");
  const guard = {
    configurable: true,
    get() { return native.get.call(this); },
    set(value) { if (!away || value < native.get.call(this)) { native.set.call(this, value); } },
  };
  if (main) { Object.defineProperty(main, "scrollTop", guard); }
  const place = () => {
    const input = document.querySelector('[data-testid="stChatInput"]');
    const box = (input || scroller).getBoundingClientRect();
    button.style.left = `${box.left + box.width / 2}px`;
    button.style.bottom = `${window.innerHeight - (input ? box.top : box.bottom) + 12}px`;
  };
  const toBottom = () => {
    smoothing = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    clearTimeout(smoothed);
    smoothed = setTimeout(onScrollEnd, 1000);
    scroller.scrollTo({ top: scroller.scrollHeight, behavior: smoothing ? "smooth" : "auto" });
  };
  const onResize = () => {
    if (pinned && gap() > NEAR) { toBottom(); }
    place();
    update();
  };
  const observer = new ResizeObserver(onResize);
  for (const child of (main ? main.children : [document.body])) { observer.observe(child); }
  const input = document.querySelector('[data-testid="stChatInput"]');
  if (input) { observer.observe(input); }
  button.onclick = () => {
    away = false;
    pinned = true;
    toBottom();
    update();
  };
  const listening = [
    [events, "scroll", onScroll], [events, "wheel", onWheel], [events, "touchmove", onTouch],
    [events, "touchend", onTouchEnd], [events, "scrollend", onScrollEnd],
    [window, "keydown", onKey], [window, "resize", onResize],
  ];
  for (const [target, name, listener] of listening) {
    target.addEventListener(name, listener, { passive: true });
  }
  place();
  update();
  return () => {
    for (const [target, name, listener] of listening) {
      target.removeEventListener(name, listener);
    }
    clearTimeout(settle);
    clearTimeout(smoothed);
    observer.disconnect();
    const own = main && Object.getOwnPropertyDescriptor(main, "scrollTop");
    if (own && own.set === guard.set) { delete main.scrollTop; }
  };
}
"""


def _compact(source: str) -> str:
    """Each line without its indent. The line breaks stay: Streamlit takes a one-line
    string with a "/" or a "[" in it for the path of a file, not for code."""
    return "\n".join(line.strip() for line in source.strip().splitlines())


_jump_component = st.components.v2.component(
    "chat_jump_to_latest", html=_HTML, css=_compact(_CSS), js=_compact(_JS)
)


def jump_to_latest(t: Translator) -> None:
    """The button, for the answer this run follows (mount once per run)."""
    _jump_component(data={"label": t("chat.jump_to_latest")}, key=JUMP_KEY, width="content")
