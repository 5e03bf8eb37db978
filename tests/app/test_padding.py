"""A place that keeps its element count from run to run (components/padding.py, queue_view.py)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from components.state import QUEUE_LIMIT


def kinds(app: AppTest) -> list[str]:
    """The types of the elements in the page's first container, in order."""
    return [child.type for child in app.main.children[0].children.values()]


def test_children_are_drawn_in_order_then_padded_with_empty_elements():
    def page() -> None:
        from functools import partial

        import streamlit as st

        from components.padding import draw_padded

        children = [partial(st.write, "a"), partial(st.write, "b")]
        with st.container():
            draw_padded(children[: st.session_state.get("count", 2)], to=4)

    app = AppTest.from_function(page, default_timeout=30).run()
    assert kinds(app) == ["markdown", "markdown", "empty", "empty"]
    assert [m.value for m in app.markdown] == ["a", "b"]
    app.session_state["count"] = 0
    app.run()
    assert kinds(app) == ["empty"] * 4


def test_more_children_than_the_bound_are_all_drawn():
    def page() -> None:
        from functools import partial

        import streamlit as st

        from components.padding import draw_padded

        with st.container():
            draw_padded([partial(st.write, str(n)) for n in range(3)], to=1)

    app = AppTest.from_function(page, default_timeout=30).run()
    assert kinds(app) == ["markdown"] * 3


def test_the_queue_keeps_its_bound_of_places_and_one_for_the_full_notice():
    def page() -> None:
        import streamlit as st

        from chat_core.conversation.messages import ChatMessage
        from chat_core.i18n import Translator
        from components import state
        from components.queue_view import render_queue

        if "filled" not in st.session_state:
            st.session_state.filled = True
            state.queue_question("c", ChatMessage.user("one"))
            state.queue_question("c", ChatMessage.user("two"))
        if st.session_state.get("refused"):
            st.session_state["queue_refused"] = True
        with st.container():
            render_queue("c", Translator("en"))

    app = AppTest.from_function(page, default_timeout=30).run()
    places = kinds(app)
    assert len(places) == QUEUE_LIMIT + 1
    assert places[2:] == ["empty"] * (QUEUE_LIMIT - 1)  # two rows, empty places, no notice
    assert ["one" in c.value for c in app.caption] == [True, False]
    assert not app.warning
    app.session_state["refused"] = True
    app.run()
    places = kinds(app)
    assert len(places) == QUEUE_LIMIT + 1
    assert places[-1] == "warning"  # the notice, in the last place
