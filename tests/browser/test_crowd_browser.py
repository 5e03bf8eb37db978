"""An answer still streams in the browser while other visitors are answered at once."""

from __future__ import annotations

import threading

import pytest

from bench.load_client import ChatSession
from tests.support.scripted_server import Reply, last_user_text

OTHERS = 16  # websocket visitors asking at the same moment as the browser


@pytest.mark.timeout(240)
def test_the_answer_streams_in_the_browser_while_others_are_answered(
    open_chat, streamlit_server, model_server
):
    def script(body) -> Reply:  # 0.5 s alone, naming the question's last word
        tag = last_user_text(body).split()[-1]
        tokens = [f"{tag}-start", *[f" {tag}"] * 98, f" {tag} end."]
        return Reply(tokens=tokens, tokens_per_second=200)

    model_server.script = script
    chat = open_chat()
    others = [ChatSession(streamlit_server.url, timeout=120) for _ in range(OTHERS)]
    barrier = threading.Barrier(OTHERS + 1)

    def other(n: int) -> None:
        barrier.wait()
        others[n].send_and_keep(f"question other{n}x", runs=2)

    threads = [threading.Thread(target=other, args=(n,)) for n in range(OTHERS)]
    for thread in threads:
        thread.start()
    chat.record_answers()
    barrier.wait()
    chat.send("question browserx")
    chat.wait_for_answer("browserx end.", count=2, timeout=90)
    for thread in threads:
        thread.join()
    for session in others:
        session.close()
    shown = [text for _, text in chat.recorded()]
    partial = {text for text in shown if "browserx-start" in text and "end." not in text}
    # Streaming: the bubble showed the first words before the whole answer (before, with
    # this crowd, the whole answer appeared at once).
    assert partial, shown
