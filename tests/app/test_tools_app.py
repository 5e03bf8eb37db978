"""Tools through the app (AppTest): the deployer's MCP server (mcp-server-time, from PyPI,
over stdio) called by the scripted model, each step in the bubble and stored with the
answer, sent back in the next turn as the protocol wants, switched off per conversation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from chat_core.conversation.tool_steps import StepStatus
from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from components.tools import TOOLS_OPEN
from tests.app.test_app import send
from tests.support.app_server import new_app
from tests.support.scripted_server import Reply, ScriptedCall, tokenize

TIME_SERVER = Path(sys.executable).parent / "mcp-server-time"
TOKYO = ScriptedCall("get_current_time", '{"timezone": "Asia/Tokyo"}', "call_tokyo")


@pytest.fixture
def tools_app(clean_env, model_server, tmp_path):
    config = tmp_path / "mcp.json"
    server = {"command": str(TIME_SERVER), "args": ["--local-timezone", "UTC"]}
    config.write_text(json.dumps({"mcpServers": {"time": server}}))
    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("OPENAI_API_KEY", "test-key")
    clean_env.setenv("CHAT_MODEL", "scripted-small")
    clean_env.setenv("CHAT_MCP_CONFIG", str(config))
    return new_app()


def test_a_tool_call_is_shown_stored_and_sent_back_in_the_next_turn(
    tools_app, model_server, tmp_path
):
    model_server.queue(
        Reply.calls(TOKYO, tokens=["Let me look."]),
        Reply.text("It is evening in Tokyo."),
    )
    tools_app.run()
    send(tools_app, "What time is it in Tokyo?")

    first, second = model_server.chat_requests[-2:]
    assert [tool["function"]["name"] for tool in first.body["tools"]] == [
        "get_current_time",
        "convert_time",
    ]
    result = second.messages[-1]
    assert result["role"] == "tool" and result["tool_call_id"] == "call_tokyo"
    assert "Asia/Tokyo" in result["content"] and "+09:00" in result["content"]

    answer = tools_app.session_state["conversation"].messages[-1]
    assert answer.content == "Let me look.\n\nIt is evening in Tokyo."
    (step,) = answer.steps
    assert (step.name, step.server, step.status) == ("get_current_time", "time", StepStatus.DONE)
    assert step.arguments == {"timezone": "Asia/Tokyo"} and step.text_at == len("Let me look.")
    assert answer.usage.input_tokens == _prompt_tokens(first) + _prompt_tokens(second)
    assert answer.usage.output_tokens == 1 + len(
        tokenize("It is evening in Tokyo.")
    )  # one token asking for the tool, then the answer's

    bubble = tools_app.chat_message[-1]
    assert bubble.status[0].label.startswith("get\\_current\\_time · ")
    assert [md.value for md in bubble.markdown][:2] == ["Let me look.", "It is evening in Tokyo."]
    assert any("+09:00" in code.value for code in bubble.code)

    stored = ConversationStore(sqlite_url(tmp_path / "data"))
    (summary,) = stored.list(LOCAL_OWNER)
    assert stored.load(summary.id, LOCAL_OWNER).messages[-1].steps == answer.steps

    model_server.queue(Reply.text("You are welcome."))
    send(tools_app, "Thanks")
    sent = model_server.chat_requests[-1].messages
    call, returned = sent[2], sent[3]
    assert call["role"] == "assistant" and call["content"] == "Let me look."
    assert call["tool_calls"][0]["id"] == "call_tokyo"
    assert json.loads(call["tool_calls"][0]["function"]["arguments"]) == {"timezone": "Asia/Tokyo"}
    assert returned["role"] == "tool" and "+09:00" in returned["content"]
    assert sent[4] == {"role": "assistant", "content": "It is evening in Tokyo."}


def test_tools_switched_off_for_a_conversation_are_not_offered(tools_app, model_server):
    tools_app.session_state[TOOLS_OPEN] = True
    tools_app.run()
    assert not tools_app.exception
    switch = next(t for t in tools_app.toggle if t.key == "tools_tool_time_convert_time")
    switch.set_value(False).run()
    model_server.queue(Reply.text("No tools needed."))
    send(tools_app, "hi")
    offered = [tool["function"]["name"] for tool in model_server.chat_requests[-1].body["tools"]]
    assert offered == ["get_current_time"]

    next(t for t in tools_app.toggle if t.key == "tools_all").set_value(False).run()
    model_server.queue(Reply.text("Plain."))
    send(tools_app, "again")
    assert "tools" not in model_server.chat_requests[-1].body


def test_a_model_that_refuses_tools_is_answered_without_them_and_says_so(tools_app, model_server):
    model_server.queue(
        Reply.failure(400, "registry.ollama.ai/library/gemma:2b does not support tools"),
        Reply.text("Hello without tools."),
    )
    tools_app.run()
    send(tools_app, "hi")
    answer = tools_app.session_state["conversation"].messages[-1]
    assert (answer.content, answer.status.value) == ("Hello without tools.", "complete")
    assert "tools" not in model_server.chat_requests[-1].body


def _prompt_tokens(request) -> int:
    """What the scripted server counts as a request's prompt (every call is counted)."""
    return sum(len(tokenize(str(m.get("content", "")))) for m in request.messages)


def test_a_changed_config_file_is_read_again(tmp_path):
    import os

    from chat_core.settings.settings import Settings
    from components.tools import deployer_servers

    config = tmp_path / "changing.json"
    config.write_text(json.dumps({"mcpServers": {"one": {"url": "http://127.0.0.1:9/mcp"}}}))
    settings = Settings(mcp_config=str(config))
    assert [s.name for s in deployer_servers(settings).servers] == ["one"]
    config.write_text(json.dumps({"mcpServers": {"two": {"url": "http://127.0.0.1:9/mcp"}}}))
    os.utime(config, (1_800_000_000, 1_800_000_000))  # a later change, whatever the clock
    assert [s.name for s in deployer_servers(settings).servers] == ["two"]
