"""A turn's plan: worked out once, and what the limits, the job and the page all use."""

from __future__ import annotations

import base64

from langchain_core.messages import HumanMessage, SystemMessage

from chat_core.conversation.messages import ChatMessage, Status
from chat_core.files import attachments
from chat_core.files.attachments import read_upload
from chat_core.prompt.turn_plan import next_window_start, plan_turn
from chat_core.settings.settings import Settings
from chat_core.usage.estimate import IMAGE_TOKENS, estimate_tokens, message_tokens, prompt_tokens
from tests.support.files import image_bytes
from tests.unit.prompt.test_window import conversation


def test_the_plan_holds_the_window_the_messages_and_their_tokens():
    history = conversation(5)
    question = ChatMessage.user("q6")
    plan = plan_turn(history, question, Settings(history_window=2), language="en")
    assert [m.content for m in plan.window] == ["q4", "a4", "q5", "a5"]
    assert plan.sent_from == 6
    assert [m.content for m in plan.messages[1:]] == ["q4", "a4", "q5", "a5", "q6"]
    assert plan.input_tokens == prompt_tokens(plan.messages)
    assert plan.refusal is None


def test_an_image_is_encoded_once_per_plan_though_fitting_and_sending_both_need_it(monkeypatch):
    image = read_upload("chart.png", image_bytes(), text_budget=1000)
    history = [ChatMessage.user("look", attachments=[image]), ChatMessage.assistant("a chart")]
    encoded: list[int] = []
    b64encode = base64.b64encode

    def counting(data: bytes) -> bytes:
        encoded.append(len(data))
        return b64encode(data)

    monkeypatch.setattr(attachments.base64, "b64encode", counting)
    settings = Settings(history_fit=True, context_tokens=100_000)
    plan = plan_turn(history, ChatMessage.user("and now?"), settings, language="en")
    assert len(plan.messages) == 4  # the image's exchange fits
    assert encoded == [len(image_bytes())]


def test_one_estimator_counts_text_and_images_as_sent():
    image = read_upload("chart.png", image_bytes(), text_budget=1000)
    question = ChatMessage.user("what is this?", attachments=[image])
    plan = plan_turn([], question, Settings(), language="en")
    system, sent = plan.messages
    assert isinstance(system, SystemMessage) and isinstance(sent, HumanMessage)
    assert message_tokens(sent) == 4 + estimate_tokens("what is this?") + IMAGE_TOKENS
    assert plan.input_tokens == message_tokens(system) + message_tokens(sent)


def test_a_question_too_big_for_the_context_is_refused_by_the_plan():
    notes = read_upload("notes.txt", ("word " * 20_000).encode(), text_budget=200_000)
    question = ChatMessage.user("read this", attachments=[notes])
    fitted = Settings(history_fit=True, context_tokens=8_192)
    assert plan_turn([], question, fitted, language="en").refusal is not None
    # A window of k exchanges leaves the context to the server: it says if it is too long.
    assert plan_turn([], question, Settings(), language="en").refusal is None


def test_the_divider_before_a_question_is_typed_is_where_its_window_would_begin():
    q, a = ChatMessage.user, ChatMessage.assistant
    history = [q("1"), a("one"), q("2"), a("", status=Status.FAILED), q("3"), a("three")]
    settings = Settings(history_window=1)
    assert next_window_start(history, settings, language="en") == 4
    plan = plan_turn(history, q("4"), settings, language="en")
    assert plan.sent_from == 4 and [m.content for m in plan.window] == ["3", "three"]
    fitted = Settings(history_fit=True, context_tokens=100_000)
    assert next_window_start(history, fitted, language="en") == 0


def test_a_projects_instructions_follow_the_conversations_system_prompt():
    question = ChatMessage.user("どう書けばいい？")
    chosen = Settings(system_prompt="You are terse.")
    planned = plan_turn([], question, chosen, language="ja",
                        project_instructions="  Cite the handbook.  ")  # fmt: skip
    system = planned.messages[0]
    assert isinstance(system, SystemMessage)
    assert system.content.startswith("You are terse.\n\nこのプロジェクトの指示")
    assert system.content.endswith("\nCite the handbook.")
    plain = plan_turn([], question, chosen, language="ja", project_instructions="  ")
    assert plain.messages[0].content == "You are terse."
    assert planned.input_tokens > plain.input_tokens
