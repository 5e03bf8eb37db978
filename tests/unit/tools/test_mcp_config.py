"""Reading the deployer's MCP servers: the shapes people write, variables, bounds, secrets."""

from __future__ import annotations

import json

from chat_core.tools.mcp_config import (
    MAX_CONFIG_BYTES,
    MAX_SERVERS,
    parse_mcp_config,
    read_mcp_config,
)

ENV = {"TIME_TZ": "Asia/Tokyo", "SEARCH_TOKEN": "tok-very-secret-123", "HOST": "mcp.example.org"}


def parse(servers: dict, key: str = "mcpServers", environ=ENV):
    return parse_mcp_config(json.dumps({key: servers}), environ)


def test_a_claude_desktop_stdio_server_is_read_with_its_variables():
    config = parse(
        {
            "time": {
                "command": "mcp-server-time",
                "args": ["--local-timezone", "${TIME_TZ}"],
                "env": {"TOKEN": "${SEARCH_TOKEN}"},
            }
        }
    )
    assert config.problems == ()
    (server,) = config.servers
    assert (server.name, server.transport, server.trusted) == ("time", "stdio", False)
    assert server.connection == {
        "transport": "stdio",
        "command": "mcp-server-time",
        "args": ["--local-timezone", "Asia/Tokyo"],
        "env": {"TOKEN": "tok-very-secret-123"},
    }
    assert "tok-very-secret-123" in server.secrets
    assert "tok-very-secret-123" not in repr(server)


def test_remote_servers_take_their_transport_from_type_or_the_path():
    config = parse(
        {
            "everything": {
                "url": "http://${HOST}:3001/mcp",
                "headers": {"Authorization": "Bearer ${SEARCH_TOKEN}"},
            },
            "legacy": {"url": "https://mcp.example.org/sse"},
            "typed": {"type": "sse", "url": "https://mcp.example.org/events"},
            "vscode": {"type": "http", "url": "https://mcp.example.org/mcp"},
        }
    )
    assert config.problems == ()
    kinds = {server.name: server.transport for server in config.servers}
    assert kinds == {
        "everything": "streamable_http",
        "legacy": "sse",
        "typed": "sse",
        "vscode": "streamable_http",
    }
    everything = config.servers[0]
    assert everything.connection["url"] == "http://mcp.example.org:3001/mcp"
    assert everything.connection["headers"] == {"Authorization": "Bearer tok-very-secret-123"}
    assert "Bearer tok-very-secret-123" in everything.secrets


def test_vs_code_servers_and_env_colon_variables_are_read_too():
    config = parse(
        {"time": {"type": "stdio", "command": "uvx", "args": ["${env:TIME_TZ}"]}}, key="servers"
    )
    assert config.servers[0].connection["args"] == ["Asia/Tokyo"]


def test_a_server_with_a_variable_not_set_is_skipped_and_named():
    config = parse(
        {
            "search": {"url": "https://s.example.org/mcp", "headers": {"X-Key": "${MISSING_KEY}"}},
            "time": {"command": "mcp-server-time"},
        }
    )
    assert [s.name for s in config.servers] == ["time"]
    assert config.problems == ("MCP server search: ${MISSING_KEY} is not set",)


def test_bad_servers_are_skipped_each_with_its_reason_and_no_secret():
    config = parse(
        {
            "no-way": {"args": ["x"]},
            "ftp": {"url": "ftp://files.example.org/${SEARCH_TOKEN}"},
            "bad type": {"command": "x"},
            "odd": {"url": "https://x.example.org/mcp", "type": "websocket"},
            "args": {"command": "x", "args": "not a list"},
            "trust": {"command": "x", "trusted": "yes"},
            "off": {"command": "x", "disabled": True},
            "fine": {"command": "x", "trusted": True},
        }
    )
    assert [(s.name, s.trusted) for s in config.servers] == [("fine", True)]
    text = "\n".join(config.problems)
    assert len(config.problems) == 6
    assert "MCP server no-way: neither" in text
    assert 'MCP server ftp: "url" is an http:// or https:// address' in text
    assert 'MCP server "bad type": a name is' in text
    assert "tok-very-secret-123" not in text


def test_the_address_shown_has_no_credentials_query_or_secret():
    config = parse(
        {
            "a": {"url": "https://user:pa55word@mcp.example.org/mcp?key=abcdef"},
            "b": {"command": "/opt/${TIME_TZ}/server"},
        }
    )
    a, b = config.servers
    assert a.address == "https://mcp.example.org/mcp"
    assert "pa55word" in a.secrets and "key=abcdef" in a.secrets
    assert b.address == "/opt/[redacted]/server"


def test_what_is_not_a_config_says_so():
    assert parse_mcp_config("{not json", {}).problems == ("CHAT_MCP_CONFIG: not JSON (line 1)",)
    assert parse_mcp_config("[]", {}).problems == ('CHAT_MCP_CONFIG: no "mcpServers" object',)
    assert read_mcp_config(None, {}).servers == ()
    assert read_mcp_config("", {}).problems == ()


def test_the_file_is_bounded_in_bytes_and_servers(tmp_path):
    missing = read_mcp_config(tmp_path / "absent.json", {})
    assert missing.problems == (
        "CHAT_MCP_CONFIG: cannot read absent.json (No such file or directory)",
    )
    big = tmp_path / "big.json"
    big.write_text(" " * (MAX_CONFIG_BYTES + 1))
    assert "is over 256 KB" in read_mcp_config(big, {}).problems[0]
    many = tmp_path / "many.json"
    many.write_text(
        json.dumps({"mcpServers": {f"s{n}": {"command": "x"} for n in range(MAX_SERVERS + 5)}})
    )
    config = read_mcp_config(many, {})
    assert len(config.servers) == MAX_SERVERS
    assert config.problems == (f"CHAT_MCP_CONFIG: only the first {MAX_SERVERS} servers are used",)
