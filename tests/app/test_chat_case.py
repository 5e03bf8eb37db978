"""What a run of the chat page does, decided before it draws (components/chat_case.py)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from chat_core.conversation.conversation import Conversation, ConversationRecord
from chat_core.conversation.messages import ChatMessage, Status
from components.chat_case import Asked, ChatCase, decide_case
from components.chat_view import last_question_index

A_JOB = object()  # decide_case only asks whether there is one


def conversation(*messages: ChatMessage) -> Conversation:
    chat = Conversation(ConversationRecord())
    for message in messages:
        chat.add(message)
    return chat


def test_a_job_to_follow_goes_before_anything_asked_or_written_elsewhere():
    streaming = conversation(
        ChatMessage.user("q"), ChatMessage.assistant("a", status=Status.STREAMING)
    )
    asked = Asked(ChatMessage.user("waiting"))
    assert decide_case(A_JOB, streaming, lambda: asked)[0] is ChatCase.FOLLOW


def test_an_answer_another_process_writes_goes_before_what_was_asked():
    streaming = conversation(
        ChatMessage.user("q"), ChatMessage.assistant("a", status=Status.STREAMING)
    )
    assert decide_case(None, streaming, lambda: Asked(again=True))[0] is ChatCase.WRITTEN_ELSEWHERE
    assert decide_case(None, streaming, Asked)[0] is ChatCase.WRITTEN_ELSEWHERE


def test_a_waiting_question_or_a_buttons_ask_is_answered_else_the_page_is_idle():
    done = conversation(ChatMessage.user("q"), ChatMessage.assistant("a"))
    next_question = Asked(ChatMessage.user("next"))
    assert decide_case(None, done, lambda: next_question) == (ChatCase.ANSWER, next_question)
    assert decide_case(None, done, lambda: Asked(again=True))[0] is ChatCase.ANSWER
    assert decide_case(None, done, Asked) == (ChatCase.IDLE, Asked())
    assert decide_case(None, conversation(), Asked)[0] is ChatCase.IDLE


def test_what_waits_is_taken_only_by_a_run_that_answers_it():
    streaming = conversation(
        ChatMessage.user("q"), ChatMessage.assistant("a", status=Status.STREAMING)
    )
    taken: list[Asked] = []

    def waiting() -> Asked:
        taken.append(Asked(ChatMessage.user("typed meanwhile")))
        return taken[-1]

    assert decide_case(A_JOB, streaming, waiting) == (ChatCase.FOLLOW, Asked())
    assert decide_case(None, streaming, waiting) == (ChatCase.WRITTEN_ELSEWHERE, Asked())
    assert taken == []
    done = conversation(ChatMessage.user("q"), ChatMessage.assistant("a"))
    case, asked = decide_case(None, done, waiting)
    assert case is ChatCase.ANSWER and taken == [asked]


def test_asked_takes_the_first_waiting_question_and_leaves_a_buttons_ask_for_later():
    def page() -> None:
        import streamlit as st

        from chat_core.conversation.messages import ChatMessage
        from components import state
        from components.chat_case import Asked

        if "filled" not in st.session_state:
            st.session_state.filled = True
            state.queue_question("c", ChatMessage.user("first"))
            state.queue_question("c", ChatMessage.user("second"))
            state.ask_again()
        asked = Asked.take("c")
        text = asked.question.content if asked.question else None
        st.write(f"{text} {asked.again} {asked.anything}")

    app = AppTest.from_function(page, default_timeout=30).run()
    assert app.markdown[0].value == "first False True"
    app.run()
    assert app.markdown[0].value == "second False True"
    app.run()  # the queue is empty: the button's ask, once
    assert app.markdown[0].value == "None True True"
    app.run()
    assert app.markdown[0].value == "None False False"


def test_the_last_question_is_the_branchs_last_user_message():
    messages = [ChatMessage.user("q1"), ChatMessage.assistant("a1"), ChatMessage.user("q2")]
    assert last_question_index(messages) == 2
    assert last_question_index([*messages, ChatMessage.assistant("a2")]) == 2
    assert last_question_index([ChatMessage.assistant("hello")]) is None
    assert last_question_index([]) is None
