"""Which tools a conversation uses: the visitor's switches, kept as one line of text."""

from __future__ import annotations

from langchain_core.tools import tool

from chat_core.settings.settings import Settings
from chat_core.tools.choice import NOTHING_OFF, ToolSwitches, switches_of
from chat_core.tools.loop import OfferedTool


@tool
def echo(text: str) -> str:
    """Say it back."""
    return text


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def test_a_conversation_that_never_chose_follows_the_deployers_default():
    assert switches_of(Settings()).server_on("time")
    off = switches_of(Settings(tools_default=False))
    assert not off.tools_on and not off.server_on("time")


def test_switches_round_trip_through_the_setting_and_never_write_blank():
    switches = ToolSwitches.parse(None, default_on=False).switched("*", True)
    assert switches.value == NOTHING_OFF  # blank would mean "not chosen": the default, off
    assert ToolSwitches.parse(switches.value, default_on=False).tools_on
    switches = switches.switched("time", False).switched("everything/echo", False)
    assert switches.value == "everything/echo,time"
    again = ToolSwitches.parse(switches.value, default_on=True)
    assert not again.server_on("time") and again.server_on("everything")
    assert not again.tool_on("everything", "echo") and again.tool_on("everything", "add")


def test_only_tools_switched_on_are_offered_each_name_once():
    offered = [
        OfferedTool(echo, server="a"),
        OfferedTool(add, server="a"),
        OfferedTool(echo, server="b"),  # the same name from a second server
    ]
    chosen, clashes = ToolSwitches(["a/add"]).offered(offered)
    assert [(o.server, o.tool.name) for o in chosen] == [("a", "echo")]
    assert clashes == ["b/echo"]
    assert ToolSwitches(["*"]).offered(offered) == ([], [])
