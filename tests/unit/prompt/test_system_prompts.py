from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from chat_core.conversation.messages import ChatMessage
from chat_core.prompt.system_prompts import DEFAULT_SYSTEM_PROMPTS, default_system_prompt
from chat_core.settings.settings import Settings
from tests.support.turns import build_messages
from tests.unit.prompt.test_window import conversation


def test_the_request_is_system_then_window_then_new_message():
    messages = build_messages(conversation(5), "q6", Settings(history_window=3), language="en")
    assert [type(m) for m in messages] == [SystemMessage] + [HumanMessage, AIMessage] * 3 + [
        HumanMessage
    ]
    assert [m.content for m in messages[1:]] == ["q3", "a3", "q4", "a4", "q5", "a5", "q6"]
    assert messages[0].content == DEFAULT_SYSTEM_PROMPTS["en"]


def test_the_japanese_prompt_is_the_seed_prompt():
    messages = build_messages([], "こんにちは", Settings(), language="ja")
    assert messages[0].content == DEFAULT_SYSTEM_PROMPTS["ja"]
    assert "わかりません" in messages[0].content
    assert "don't know" in default_system_prompt("en") or "do not know" in default_system_prompt(
        "en"
    )


def test_a_configured_system_prompt_replaces_the_default():
    messages = build_messages([], "hi", Settings(system_prompt="Be terse."), language="ja")
    assert messages[0].content == "Be terse."


def test_braces_from_the_visitor_are_not_template_syntax():
    history = [ChatMessage.user("{history}"), ChatMessage.assistant("{input} {x}")]
    settings = Settings(system_prompt="Use {curly} braces")
    messages = build_messages(history, "what is {system_prompt}?", settings, language="en")
    assert [m.content for m in messages] == [
        "Use {curly} braces",
        "{history}",
        "{input} {x}",
        "what is {system_prompt}?",
    ]


def test_unknown_language_falls_back_to_english():
    assert default_system_prompt("fr") == DEFAULT_SYSTEM_PROMPTS["en"]


def test_the_window_starts_at_the_kth_last_usable_exchange():
    from chat_core.conversation.messages import ChatMessage, Status
    from chat_core.prompt.window import window_start

    q, a = ChatMessage.user, ChatMessage.assistant
    history = [q("1"), a("one"), q("2"), a("", status=Status.FAILED), q("3"), a("three")]
    history += [q("4"), a("four")]
    assert window_start(history, 3) == 0  # three usable exchanges: all of them are sent
    assert window_start(history, 2) == 4
    assert window_start(history, 1) == 6
    assert window_start(history, 0) == len(history)
    assert window_start([], 3) == 0
