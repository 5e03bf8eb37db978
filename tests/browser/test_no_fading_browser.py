"""While an answer streams, nothing the visitor can read fades or shows twice (Chromium).

Streamlit draws what a run has not redrawn yet as stale (faded); a run that answers
must redraw the page around the answer at once, not after it.
"""

from __future__ import annotations

import time
import uuid

import pytest

from tests.support.scripted_server import Reply

pytestmark = pytest.mark.browser

# Every 100 ms: the texts of the elements a person sees faded, the bubbles' texts, and
# how many Stop buttons there are.
_RECORDER = """
() => {
  window.__frames = [];
  window.__recording = setInterval(() => {
    const faded = Array.from(document.querySelectorAll('[data-testid="stElementContainer"]'))
      .filter((el) => el.offsetHeight > 0 && el.innerText.trim()
        && parseFloat(getComputedStyle(el).opacity) < 0.9)
      .map((el) => el.innerText.trim().slice(0, 60));
    const bubbles = Array.from(document.querySelectorAll('[data-testid="stChatMessage"]'))
      .map((el) => el.innerText.trim().slice(0, 200));
    const stops = document.querySelectorAll('.st-key-stop_answer').length;
    window.__frames.push({at: performance.now(), faded, bubbles, stops});
  }, 100);
}
"""


def _record(page) -> None:
    page.evaluate(_RECORDER)


def _frames(page) -> list[dict]:
    return page.evaluate("() => { clearInterval(window.__recording); return window.__frames; }")


def _settled(chat) -> None:
    chat.page.locator(".st-key-stop_answer").wait_for(state="detached", timeout=60_000)
    chat.page.locator(".st-key-retry_last").wait_for(timeout=30_000)


def _streaming(frames: list[dict]) -> list[dict]:
    """The frames from a second after the answer began until it ended."""
    began = next(f["at"] for f in frames if f["stops"])
    return [f for f in frames if f["at"] > began + 1000 and f["stops"]]


def test_earlier_messages_the_list_and_the_title_stay_readable(open_chat, model_server):
    token = uuid.uuid4().hex[:6]
    chat = open_chat()
    for word in ("one", "two"):
        chat.send(f"{word} {token}")
        chat.wait_for_answer(f"Echo: {word} {token}", count=2 if word == "one" else 4)
    _settled(chat)
    model_server.queue(Reply.text(f"slow {token} " * 60, tokens_per_second=20))
    _record(chat.page)
    chat.send(f"three {token}")
    chat.wait_for_answer(f"slow {token}", count=6, timeout=60)
    frames = _streaming(_frames(chat.page))
    assert len(frames) > 10, "the answer streamed for a few seconds"
    assert not [f["faded"] for f in frames if f["faded"]][:3], "faded while streaming"
    for frame in frames:  # every earlier message stays on the page, once
        assert len(frame["bubbles"]) == 6, frame["bubbles"]
        assert frame["stops"] == 1


def test_regenerate_shows_the_old_answer_neither_faded_nor_above_the_new(open_chat, model_server):
    token = uuid.uuid4().hex[:6]
    chat = open_chat()
    chat.send(f"question {token}")
    chat.wait_for_answer(f"Echo: question {token}", count=2)
    _settled(chat)
    model_server.queue(Reply.text(f"again {token} " * 60, tokens_per_second=20))
    _record(chat.page)
    chat.page.locator(".st-key-retry_last").get_by_role("button", name="Regenerate").click()
    chat.wait_for_answer(f"again {token}", count=2, timeout=60)
    frames = _streaming(_frames(chat.page))
    assert len(frames) > 10
    assert not [f["faded"] for f in frames if f["faded"]][:3], "faded while streaming"
    for frame in frames:
        assert len(frame["bubbles"]) == 2, frame["bubbles"]
        assert not any(f"Echo: question {token}" in text for text in frame["bubbles"])


def test_a_queued_message_hands_over_without_a_duplicate_or_a_gap(open_chat, model_server):
    token = uuid.uuid4().hex[:6]
    chat = open_chat()
    model_server.queue(
        Reply.text(f"first {token} " * 40, tokens_per_second=20),
        Reply.text(f"second {token} " * 40, tokens_per_second=20),
    )
    chat.send(f"ask one {token}")
    chat.page.locator(".st-key-stop_answer").wait_for(timeout=30_000)
    _record(chat.page)
    time.sleep(0.5)
    chat.send(f"ask two {token}")
    chat.wait_for_answer(f"second {token}", count=4, timeout=90)
    frames = _frames(chat.page)
    for frame in frames:
        assert frame["stops"] <= 1, frame
        answers = [b for b in frame["bubbles"] if f"first {token}" in b]
        assert len(answers) <= 1, frame["bubbles"]  # never a duplicate of the first answer
    handed_over = [
        i for i, f in enumerate(frames) if any(f"second {token}" in b for b in f["bubbles"])
    ]
    assert handed_over, "the second answer streamed"
    for frame in frames[handed_over[0] - 10 :]:  # the first answer never vanished
        assert any(f"first {token}" in b for b in frame["bubbles"]), frame["bubbles"]
    streaming = _streaming(frames[handed_over[0] :])
    assert not [f["faded"] for f in streaming if f["faded"]][:3], "faded while streaming"


def test_stop_stays_in_place_while_the_answer_grows(open_chat, model_server, artifacts):
    """A person can aim at Stop: it does not move down the page line by line."""
    chat = open_chat()
    lines = "\n\n".join(f"Line {n} of a long answer." for n in range(1, 200))
    model_server.queue(Reply.text(lines, tokens_per_second=40))
    chat.send("a long answer, please")
    stop = chat.page.locator(".st-key-stop_answer button")
    stop.wait_for(timeout=30_000)
    chat.page.get_by_text("Line 40 of").wait_for(timeout=30_000)  # longer than the window
    places = []
    for _ in range(10):
        box = stop.bounding_box()
        places.append(round(box["y"]))
        time.sleep(0.2)
    chat.page.screenshot(path=artifacts / "stop-in-place.png")
    assert max(places) - min(places) <= 2, places
    stop.click(timeout=5_000)
    chat.page.get_by_text("Stopped. The answer above").wait_for(timeout=30_000)


def test_a_long_paragraph_streams_as_one_paragraph(open_chat, model_server, artifacts):
    """Drawn in pieces (each redraw is bounded in bytes), it reads as one paragraph: no
    break appears while it streams that would be gone when it ends."""
    chat = open_chat()
    words = " ".join(f"w{n}" for n in range(700))  # about 3,500 bytes, one paragraph
    model_server.queue(Reply.text(words + "\n\nThe end.", tokens_per_second=150))
    chat.send("one long paragraph")
    chat.page.get_by_text("w400", exact=False).first.wait_for(timeout=30_000)
    seams = chat.page.evaluate(_SEAMS)
    chat.page.screenshot(path=artifacts / "long-paragraph-streaming.png")
    assert not _faded_now(chat.page), "the first answer's page left something faded"
    assert seams["pieces"] >= 2, seams  # drawn in pieces, as the layout bounds redraws
    assert seams["broken"] == 0, seams  # each piece goes on the line the last one ended
    chat.wait_for_answer("The end.", count=2, timeout=60)


# In the last bubble: how many paragraphs it draws, and how many of them start on a new
# line although the one before them ended mid-line (a paragraph break that is not there).
_SEAMS = """() => {
  const bubbles = document.querySelectorAll('[data-testid="stChatMessage"]');
  const ps = Array.from(bubbles[bubbles.length - 1].querySelectorAll('p'))
    .filter((p) => p.innerText.includes('w'));
  let broken = 0;
  for (let i = 1; i < ps.length; i++) {
    const before = Array.from(ps[i - 1].getClientRects()).pop();
    const after = ps[i].getClientRects()[0];
    if (before && after && after.top > before.top + 2) { broken += 1; }
  }
  return { pieces: ps.length, broken };
}"""


def _faded_now(page) -> list[str]:
    """The texts a person sees faded now (the empty page of a new chat, say)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid="stElementContainer"]'))
          .filter((el) => el.offsetHeight > 0 && el.innerText.trim()
            && parseFloat(getComputedStyle(el).opacity) < 0.9)
          .map((el) => el.innerText.trim().slice(0, 60))"""
    )


def test_a_message_taken_back_from_the_queue_does_not_linger(open_chat, model_server):
    token = uuid.uuid4().hex[:6]
    chat = open_chat()
    model_server.queue(Reply.text(f"long {token} " * 80, tokens_per_second=20))
    chat.send(f"ask {token}")
    chat.page.locator(".st-key-stop_answer").wait_for(timeout=30_000)
    chat.send(f"later {token}")
    waiting = chat.page.get_by_text(f"Sent when the answer above ends: later {token}")
    waiting.wait_for(timeout=30_000)
    chat.page.get_by_role("button", name="Don't send this message").click()
    time.sleep(1.5)  # well past Streamlit's fading of what a run did not redraw
    assert chat.page.locator(".st-key-stop_answer").count() == 1, "still streaming"
    assert not _faded_now(chat.page)
    assert waiting.count() == 0
