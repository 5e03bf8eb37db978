"""MCP tools for an answer through langchain-mcp-adapters, against a real MCP server that
nobody here wrote: ``mcp-server-time`` from PyPI, over stdio."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from langchain_core.messages.tool import ToolCall

from chat_core.tools.mcp_config import parse_mcp_config
from chat_core.tools.mcp_tools import McpToolbox, asks_first

TIME_SERVER = Path(sys.executable).parent / "mcp-server-time"


def servers(entries: dict, environ=None):
    config = parse_mcp_config(json.dumps({"mcpServers": entries}), environ or {})
    assert config.problems == ()
    return config.servers


@pytest.fixture(scope="module")
def time_box():
    config = servers({"time": {"command": str(TIME_SERVER), "args": ["--local-timezone", "UTC"]}})
    with McpToolbox(config, connect_seconds=30) as box:
        yield box


def test_the_servers_tools_come_with_their_descriptions_and_annotations(time_box):
    assert time_box.problems == []
    tools = {offered.tool.name: offered for offered in time_box.tools}
    assert set(tools) == {"get_current_time", "convert_time"}
    current = tools["get_current_time"]
    assert current.server == "time"
    assert "time" in current.tool.description.lower()
    assert "IANA timezone name" in current.tool.args["timezone"]["description"]
    assert current.tool.metadata["readOnlyHint"] is True
    assert not current.asks_first  # it says it only reads


def test_a_call_runs_on_the_server_and_its_result_is_text(time_box):
    tool = next(o.tool for o in time_box.tools if o.tool.name == "get_current_time")
    call = ToolCall(name=tool.name, args={"timezone": "Asia/Tokyo"}, id="c1", type="tool_call")
    message = time_box.run(tool, call, 20)
    assert message.tool_call_id == "c1" and message.status == "success"
    assert "Asia/Tokyo" in str(message.content) and "+09:00" in str(message.content)


def test_a_tool_error_comes_back_as_an_error_result_not_an_exception(time_box):
    tool = next(o.tool for o in time_box.tools if o.tool.name == "get_current_time")
    call = ToolCall(name=tool.name, args={"timezone": "Mars/Olympus"}, id="c2", type="tool_call")
    message = time_box.run(tool, call, 20)
    assert message.status == "error" and "Mars/Olympus" in str(message.content)


def test_a_server_that_cannot_start_is_said_and_the_others_still_serve(tmp_path):
    config = servers(
        {
            "missing": {"command": str(tmp_path / "no-such-server"), "env": {"K": "hush-hush-1"}},
            "time": {"command": str(TIME_SERVER)},
        }
    )
    with McpToolbox(config, connect_seconds=30) as box:
        assert {o.server for o in box.tools} == {"time"}
    (problem,) = box.problems
    assert problem.startswith("MCP server missing (") and "is unavailable" in problem
    assert "hush-hush-1" not in problem


def test_a_remote_server_that_is_down_is_said_with_why_and_the_others_still_serve():
    """The transport's failed task group cancels the task that opened it: the reason is
    the group's error (a refused connection), not the whole toolbox running out of time."""
    config = servers({"down": {"url": "http://127.0.0.1:9/mcp"},
                      "time": {"command": str(TIME_SERVER)}})  # fmt: skip
    with McpToolbox(config, connect_seconds=30) as box:
        assert {o.server for o in box.tools} == {"time"}
    assert box.problems == [
        "MCP server down (http://127.0.0.1:9/mcp) is unavailable: "
        "ConnectError: All connection attempts failed"
    ]


def test_a_server_that_never_answers_is_given_up_on_in_time(tmp_path):
    silent = tmp_path / "silent.py"
    silent.write_text("import time\ntime.sleep(60)\n")
    config = servers({"silent": {"command": sys.executable, "args": [str(silent)]}})
    started = time.monotonic()
    with McpToolbox(config, connect_seconds=1) as box:
        assert box.tools == []
    assert time.monotonic() - started < 15
    assert box.problems == [
        f"MCP server silent ({sys.executable}) is unavailable: no answer within 1 s"
    ]


def test_only_tools_that_say_they_only_read_run_without_asking():
    assert asks_first(None, trusted=False)
    assert asks_first({"readOnlyHint": False}, trusted=False)
    assert asks_first({"readOnlyHint": True, "destructiveHint": True}, trusted=False)
    assert not asks_first({"readOnlyHint": True}, trusted=False)
    assert not asks_first({"destructiveHint": True}, trusted=True)
