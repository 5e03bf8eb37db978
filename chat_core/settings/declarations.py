"""Each setting declared once: its environment name, parser, range, who may choose it,
what keeps it and where the sidebar shows it; the tables others read are views of these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from chat_core.settings import parsers as p

__all__ = [
    "DECLARATIONS",
    "ENV_NAMES",
    "LIMITS",
    "MODEL_SETTINGS",
    "PARSERS",
    "PRESET_SETTINGS",
    "STORED_SETTINGS",
    "VISITOR_CHOICES",
    "Keeper",
    "SettingDeclaration",
    "SidebarGroup",
    "ValueKind",
    "Widget",
    "declaration",
]


class ValueKind(Enum):
    """What a stored value must be when read back."""

    TEXT = "text"
    YES_NO = "yes_no"
    WHOLE = "whole"
    DECIMAL = "decimal"
    OTHER = "other"  # never stored: lists, prices, networks


class Keeper(Enum):
    """What keeps a setting besides the session."""

    NOTHING = "nothing"
    CONVERSATION = "conversation"
    CONVERSATION_AND_PRESET = "conversation_and_preset"


class SidebarGroup(Enum):
    KEY = "key"
    LANGUAGE = "language"
    MODEL_SETTINGS = "model_settings"  # "Reset to defaults" forgets these
    TOOLS = "tools"  # not in the sidebar: the Tools control by the message box


class Widget(Enum):
    PASSWORD = "password"
    SELECT = "select"
    SLIDER = "slider"
    NUMBER = "number"
    TOGGLE = "toggle"
    TEXT_AREA = "text_area"
    SETUP_OFFER = "setup_offer"  # the no-key notice's local-server offer
    TOOL_SWITCHES = "tool_switches"  # a switch per server and tool (components/tools.py)


@dataclass(frozen=True, kw_only=True)
class SettingDeclaration:
    """One setting. Its default is the :class:`~chat_core.settings.settings.Settings` field's."""

    name: str  # the Settings field
    env: str  # its name in the environment, .env and secrets
    parse: Callable[[str], Any] = p.parse_text
    expected: str = "text"  # shown when the configured text cannot be used
    kind: ValueKind = ValueKind.OTHER
    bounds: tuple[float, float] | None = None  # inclusive, for numbers
    secret: bool = False  # never shown back in a problem
    visitor: bool = False  # a visitor may choose it for their session
    keeper: Keeper = Keeper.NOTHING
    group: SidebarGroup | None = None
    widget: Widget | None = None
    label: str | None = None  # the UI string naming it where a visitor chooses it


_BOOL = {"parse": p.parse_bool, "expected": "true or false", "kind": ValueKind.YES_NO}


def _number(
    name: str, env: str, kind: type, low: float, high: float, **rest: Any
) -> SettingDeclaration:
    return SettingDeclaration(
        name=name,
        env=env,
        parse=p.parse_number(kind, low, high),
        expected=f"{low} .. {high}",
        kind=ValueKind.WHOLE if kind is int else ValueKind.DECIMAL,
        bounds=(low, high),
        **rest,
    )


def _chosen(widget: Widget, keeper: Keeper = Keeper.CONVERSATION_AND_PRESET) -> dict[str, Any]:
    """A visitor's model setting, shown in the sidebar's Model settings."""
    group = SidebarGroup.MODEL_SETTINGS
    return {"visitor": True, "keeper": keeper, "group": group, "widget": widget}


D = SettingDeclaration
DECLARATIONS: tuple[SettingDeclaration, ...] = (
    D(name="api_key", env="OPENAI_API_KEY", secret=True, visitor=True,
      group=SidebarGroup.KEY, widget=Widget.PASSWORD, label="sidebar.api_key"),
    D(name="base_url", env="OPENAI_BASE_URL", parse=p.parse_base_url,
      expected="an http:// or https:// URL", label="setup.use_local",
      **_chosen(Widget.SETUP_OFFER, Keeper.NOTHING)),
    D(name="model", env="CHAT_MODEL", kind=ValueKind.TEXT, label="sidebar.model",
      **_chosen(Widget.SELECT)),
    _number("temperature", "CHAT_TEMPERATURE", float, 0.0, 2.0,
            label="sidebar.temperature", **_chosen(Widget.SLIDER)),
    _number("max_tokens", "CHAT_MAX_TOKENS", int, 1, 32_768,
            label="sidebar.max_tokens", **_chosen(Widget.NUMBER)),
    _number("history_window", "CHAT_HISTORY_WINDOW", int, 0, 50,
            label="sidebar.history_window", **_chosen(Widget.SLIDER)),
    D(name="history_fit", env="CHAT_HISTORY_FIT", **_BOOL,
      label="sidebar.history_fit", **_chosen(Widget.TOGGLE)),
    _number("context_tokens", "CHAT_CONTEXT_TOKENS", int, 1_024, 10_000_000),
    D(name="system_prompt", env="CHAT_SYSTEM_PROMPT", kind=ValueKind.TEXT,
      label="sidebar.system_prompt", **_chosen(Widget.TEXT_AREA, Keeper.CONVERSATION)),
    D(name="language", env="CHAT_LANGUAGE", parse=p.parse_language,
      expected="ja, en or auto", visitor=True, group=SidebarGroup.LANGUAGE,
      widget=Widget.SELECT, label="sidebar.language"),
    _number("request_timeout", "OPENAI_TIMEOUT", float, 1.0, 600.0),
    _number("max_retries", "OPENAI_MAX_RETRIES", int, 0, 10),
    _number("max_input_chars", "CHAT_MAX_INPUT_CHARS", int, 100, 1_000_000),
    _number("max_attachment_chars", "CHAT_MAX_ATTACHMENT_CHARS", int, 1_000, 2_000_000),
    D(name="require_key", env="CHAT_REQUIRE_KEY", **_BOOL),
    D(name="database_url", env="CHAT_DATABASE_URL", secret=True),
    D(name="data_dir", env="CHAT_DATA_DIR"),
    D(name="local_owner", env="CHAT_LOCAL_OWNER", **_BOOL),
    D(name="auto_titles", env="CHAT_AUTO_TITLES", **_BOOL),
    D(name="sharing", env="CHAT_SHARING", **_BOOL),
    D(name="sharing_requires_sign_in", env="CHAT_SHARING_REQUIRES_SIGN_IN", **_BOOL),
    _number("messages_per_minute", "CHAT_MESSAGES_PER_MINUTE", int, 0, 10_000),
    _number("tokens_per_day", "CHAT_TOKENS_PER_DAY", int, 0, 1_000_000_000),
    _number("tokens_per_day_total", "CHAT_TOKENS_PER_DAY_TOTAL", int, 0, 100_000_000_000),
    D(name="allowed_models", env="CHAT_ALLOWED_MODELS", parse=p.parse_models),
    _number("max_tokens_limit", "CHAT_MAX_TOKENS_LIMIT", int, 1, 32_768),
    D(name="prices", env="CHAT_PRICES", parse=p.parse_prices_text,
      expected='JSON like {"model": [input, output]}'),
    D(name="admins", env="CHAT_ADMINS", parse=p.parse_names),
    D(name="allowed_users", env="CHAT_ALLOWED_USERS", parse=p.parse_names),
    D(name="trusted_proxies", env="CHAT_TRUSTED_PROXIES", parse=p.parse_networks_text,
      expected="addresses or networks, comma-separated"),
    _number("answers_per_user", "CHAT_ANSWERS_PER_USER", int, 1, 1_000),
    _number("answers_total", "CHAT_ANSWERS_TOTAL", int, 1, 10_000),
    _number("answers_per_address", "CHAT_ANSWERS_PER_ADDRESS", int, 1, 10_000),
    _number("answer_timeout", "CHAT_ANSWER_TIMEOUT", float, 10.0, 86_400.0),
    D(name="reasoning_effort", env="CHAT_REASONING_EFFORT", parse=p.parse_effort,
      expected=", ".join(p.REASONING_EFFORTS), label="sidebar.reasoning_effort",
      **_chosen(Widget.SELECT, Keeper.NOTHING)),
    D(name="mcp_config", env="CHAT_MCP_CONFIG", expected="the path of an MCP config file"),
    D(name="tools_default", env="CHAT_TOOLS_DEFAULT", **_BOOL),
    _number("tool_steps", "CHAT_TOOL_STEPS", int, 1, 50),
    _number("tool_timeout", "CHAT_TOOL_TIMEOUT", float, 1.0, 600.0),
    _number("tool_result_chars", "CHAT_TOOL_RESULT_CHARS", int, 500, 200_000),
    D(name="mcp_user_servers", env="CHAT_MCP_USER_SERVERS", **_BOOL),
    D(name="web_search", env="CHAT_WEB_SEARCH", parse=p.parse_search_provider,
      expected=", ".join(p.SEARCH_PROVIDERS)),
    D(name="web_search_url", env="CHAT_WEB_SEARCH_URL", parse=p.parse_base_url,
      expected="an http:// or https:// URL"),
    D(name="web_search_key", env="CHAT_WEB_SEARCH_KEY", secret=True),
    _number("web_search_results", "CHAT_WEB_SEARCH_RESULTS", int, 1, 20),
    D(name="web_fetch", env="CHAT_WEB_FETCH", **_BOOL),
    D(name="allowed_networks", env="CHAT_ALLOWED_NETWORKS", parse=p.parse_networks_text,
      expected="addresses or networks, comma-separated"),
    D(name="secret_key", env="CHAT_SECRET_KEY", secret=True),
    D(name="embedding_model", env="CHAT_EMBEDDING_MODEL"),
    # The tools a visitor switched off in one conversation (the Tools control).
    D(name="tools_off", env="CHAT_TOOLS_OFF", kind=ValueKind.TEXT, visitor=True,
      keeper=Keeper.CONVERSATION_AND_PRESET, group=SidebarGroup.TOOLS,
      widget=Widget.TOOL_SWITCHES, label="tools.label"),
)  # fmt: skip
del D

_BY_NAME = {item.name: item for item in DECLARATIONS}


def declaration(name: str) -> SettingDeclaration:
    """The declaration of the Settings field ``name`` (KeyError if there is none)."""
    return _BY_NAME[name]


# Environment / .env / secrets name -> Settings field.
ENV_NAMES: dict[str, str] = {item.env: item.name for item in DECLARATIONS}
# Inclusive bounds of the numeric settings; shared with the sidebar widgets.
LIMITS: dict[str, tuple[float, float]] = {
    item.name: item.bounds for item in DECLARATIONS if item.bounds is not None
}
PARSERS: dict[str, Callable[[str], Any]] = {item.name: item.parse for item in DECLARATIONS}
# What a visitor may change for their own session; everything else is the deployer's.
VISITOR_CHOICES = frozenset(item.name for item in DECLARATIONS if item.visitor)
# What a conversation remembers of the settings it was held with (never the key).
STORED_SETTINGS = tuple(item.name for item in DECLARATIONS if item.keeper is not Keeper.NOTHING)
# What a preset holds besides its prompt.
PRESET_SETTINGS = tuple(
    item.name for item in DECLARATIONS if item.keeper is Keeper.CONVERSATION_AND_PRESET
)
# What the sidebar's "Reset to defaults" forgets.
MODEL_SETTINGS = tuple(
    item.name for item in DECLARATIONS if item.group is SidebarGroup.MODEL_SETTINGS
)
