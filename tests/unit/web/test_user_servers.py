"""A user's own MCP server: every field checked when it is added, and every connection
to it through the address guard (MCP's reference "everything" server on loopback is
refused unless the deployer allows loopback)."""

from __future__ import annotations

import ipaddress

import pytest

from chat_core.tools.mcp_tools import McpToolbox
from chat_core.web.user_servers import (
    UserServer,
    UserServerRefusedError,
    as_mcp_server,
    checked_user_server,
)
from tests.support.mcp_servers import everything_server

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
TOKEN = "Bearer test-token-not-real"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (("bad name!", "https://8.8.8.8/mcp"), "name"),
        (("web", "https://8.8.8.8/mcp"), "name_taken"),
        (("ok", "ftp://8.8.8.8/"), "url"),
        (("ok", "https://user:pass@8.8.8.8/mcp"), "url"),
        (("ok", "https://[::1/mcp"), "url"),
        (("ok", "http://127.0.0.1:8000/mcp"), "private"),
        (("ok", "http://169.254.169.254/latest"), "private"),
        (("ok", "http://10.0.0.5/mcp"), "private"),
        (("ok", "https://no-such-host.invalid/mcp"), "unresolved"),
        (("ok", "https://8.8.8.8/mcp", "Authorization", ""), "header"),
        (("ok", "https://8.8.8.8/mcp", "Bad Header", "x"), "header"),
        (("ok", "https://8.8.8.8/mcp", "X-Key", "a\r\nInjected: yes"), "header"),
    ],
)
def test_what_cannot_be_a_users_server_is_refused_with_why(fields, reason):
    with pytest.raises(UserServerRefusedError) as refused:
        checked_user_server(*fields, taken=["web", "time"])
    assert refused.value.reason == reason


def test_a_good_server_passes_and_an_allowed_network_is_reached():
    server = checked_user_server(" tickets ", " https://8.8.8.8/mcp ", "Authorization", TOKEN)
    assert server == UserServer("tickets", "https://8.8.8.8/mcp", "Authorization", TOKEN)
    assert TOKEN not in repr(server)
    local = checked_user_server("mine", "http://127.0.0.1:8000/mcp", allowed=LOOPBACK)
    assert local.url == "http://127.0.0.1:8000/mcp"


@pytest.fixture(scope="module")
def everything():
    with everything_server() as url:
        yield url


def test_a_server_on_loopback_is_not_reached_unless_allowed(everything):
    user = UserServer("mine", everything, "Authorization", TOKEN)
    with McpToolbox([as_mcp_server(user, ())], connect_seconds=10) as box:
        (problem,) = box.problems
        assert box.tools == [] and "private or local" in problem and "test-token" not in problem
    with McpToolbox([as_mcp_server(user, LOOPBACK)], connect_seconds=10) as box:
        assert box.problems == []
        assert "echo" in {offered.tool.name for offered in box.tools}
        assert all(offered.server == "mine" for offered in box.tools)


def test_a_users_server_is_never_trusted_and_its_header_is_a_secret():
    server = as_mcp_server(UserServer("t", "https://8.8.8.8/sse", "X-Key", TOKEN), ())
    assert (server.transport, server.trusted, server.secrets) == ("sse", False, (TOKEN,))
    assert TOKEN not in repr(server) and TOKEN not in server.address
