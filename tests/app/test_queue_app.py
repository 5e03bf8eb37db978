"""Messages typed while an answer is written: they wait in order, up to a bound (AppTest)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from chat_core.conversation.messages import ChatMessage
from components.state import QUEUE_LIMIT
from tests.app.test_app import bubbles, send
from tests.support.scripted_server import last_user_text


def fill_queue(app: AppTest, texts: list[str]) -> None:
    """What a visitor typed while the answer was being written (runs that followed it)."""
    record = app.session_state["conversation"]
    key = record.id or record.local_key
    app.session_state["queued_question"] = {key: [ChatMessage.user(text) for text in texts]}


def test_a_message_past_the_bound_is_not_sent_and_goes_back_to_the_message_box():
    """The box's on_submit refuses it before the page takes it; the page says the limit."""

    def page() -> None:
        import streamlit as st

        from chat_core.conversation.messages import ChatMessage
        from components import state

        st.chat_input("Message", key=state.CHAT_INPUT, on_submit=state.guard_queue, args=("c",))
        if st.session_state.get("fill"):
            state.queue_question("c", ChatMessage.user("earlier"))
        if state.take_queue_refusal():
            st.warning(f"at most {state.QUEUE_LIMIT}")
        st.write(f"waiting: {len(state.queued_questions('c'))}")

    app = AppTest.from_function(page, default_timeout=30)
    app.session_state["fill"] = True
    app.run()
    for _ in range(QUEUE_LIMIT - 1):
        app.run()
    app.session_state["fill"] = False
    app.chat_input[0].set_value("one more, please").run()
    assert not app.exception
    assert app.markdown[-1].value == f"waiting: {QUEUE_LIMIT}"
    assert app.warning[0].value == f"at most {QUEUE_LIMIT}"
    box = app.chat_input[0].proto
    assert box.set_value and box.value == "one more, please"  # back in the box, to send later


def test_the_page_sends_the_waiting_messages_in_order_but_never_one_past_the_bound(
    app, model_server
):
    app.run()
    send(app, "first")
    waiting = [f"waiting {n}" for n in range(QUEUE_LIMIT)]
    fill_queue(app, waiting)
    send(app, "one too many")
    asked = [last_user_text(request.body) for request in model_server.chat_requests]
    assert asked == ["first", *waiting]
    assert ("user", "one too many") not in bubbles(app)
