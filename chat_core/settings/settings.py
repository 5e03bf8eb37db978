"""The typed Settings record, and a visitor's choices applied on top of it.

The deployer's values come from :mod:`.setting_sources` (environment, ``.env``,
secrets), each setting declared in :mod:`.setting_declarations`; a visitor's sidebar
choices apply for their session only, through :func:`with_overrides`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from chat_core.identity import IPNetwork
from chat_core.settings.declarations import LIMITS, STORED_SETTINGS, VISITOR_CHOICES
from chat_core.settings.parsers import REASONING_EFFORTS
from chat_core.usage.prices import DEFAULT_PRICES

__all__ = [
    "Settings",
    "clamp",
    "stored_settings",
    "with_overrides",
]


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything that shapes a request to the model."""

    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    model: str = "gpt-5.4-mini"  # OpenAI's current small model (a reasoning model)
    model_configured: bool = False  # CHAT_MODEL was set: the deployer's choice, kept
    temperature: float = 0.0
    max_tokens: int = 512
    history_window: int = 3
    history_fit: bool = False  # send as many recent exchanges as fit the context instead
    context_tokens: int = 8_192  # the model's context when its server does not report it
    system_prompt: str | None = None  # None: the shipped prompt for the language
    language: str | None = None  # "ja" / "en"; None: follow the browser
    request_timeout: float = 60.0
    max_retries: int = 2
    max_input_chars: int = 50_000
    max_attachment_chars: int = 100_000  # text of a message's attached files, all together
    require_key: bool | None = None  # None: a key is needed for OpenAI, not for a base URL
    database_url: str | None = field(default=None, repr=False)  # None: SQLite in data_dir
    data_dir: str | None = None  # None: ./data beside the app
    local_owner: bool = True  # visitors on this machine (loopback) keep their history
    auto_titles: bool = True  # the model names a conversation after its first answer
    sharing: bool = False  # owners may make read-only snapshot links of a conversation
    sharing_requires_sign_in: bool = False  # only signed-in, allowed users open them
    messages_per_minute: int = 0  # per user; 0: no limit
    tokens_per_day: int = 0  # per user; 0: no limit
    tokens_per_day_total: int = 0  # everyone together; 0: no limit
    allowed_models: tuple[str, ...] = ()  # what a visitor may choose; (): any
    max_tokens_limit: int = 32_768  # the largest max tokens a visitor may choose
    # US dollars per million tokens (input, output) by model: built in, CHAT_PRICES over them
    prices: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: MappingProxyType(DEFAULT_PRICES)
    )
    admins: frozenset[str] = frozenset()  # lowercased: "local", e-mails, "user:e-mail"
    allowed_users: frozenset[str] = frozenset()  # with sign-in: lowercased e-mails, @domains
    trusted_proxies: tuple[IPNetwork, ...] = ()  # whose X-Forwarded-For is believed
    answers_per_user: int = 2  # answers being written at once for one user
    answers_total: int = 64  # answers being written at once in one app process
    answers_per_address: int | None = None  # one address or /64; None: a quarter of total
    answer_timeout: float = 900.0  # seconds an answer may take, then it is ended
    # Reasoning models only: "low", "medium" or "high". Low by default: a chat answers
    # quickly, and the thinking counts in max tokens (512 by default).
    reasoning_effort: str | None = "low"
    mcp_config: str | None = None  # a file of MCP servers in the mcpServers shape
    tools_default: bool = True  # a new conversation starts with the deployer's tools on
    tool_steps: int = 8  # model calls in one answer that uses tools, at most
    tool_timeout: float = 30.0  # seconds one tool call may take
    tool_result_chars: int = 8_000  # of one tool's result the model reads
    mcp_user_servers: bool = False  # signed-in users may add their own remote servers
    # Built-in tools: web search through a provider ("searxng", "tavily" or "brave";
    # None: off), its address (SearXNG's; another provider's to override) and key.
    web_search: str | None = None
    web_search_url: str | None = None
    web_search_key: str | None = field(default=None, repr=False)
    web_search_results: int = 5  # results one search gives the model
    web_fetch: bool = False  # the model may read a web page's text by its URL
    # Private networks that reading a page and users' own MCP servers may reach anyway.
    allowed_networks: tuple[IPNetwork, ...] = ()
    # Seals what users give the app to keep (their MCP servers' headers); None: a key
    # generated into the data folder (one per machine: a team sets this).
    secret_key: str | None = field(default=None, repr=False)
    # The configured server's embedding model for knowledge (None: full text alone).
    embedding_model: str | None = None
    # What the visitor switched off, comma-separated: "*" (every tool), a server's name,
    # or "server/tool"; None: as tools_default says.
    tools_off: str | None = None

    @property
    def key_required(self) -> bool:
        return self.base_url is None if self.require_key is None else self.require_key

    @property
    def has_endpoint(self) -> bool:
        """True when a request can be attempted: a key, or a server that needs none."""
        return bool(self.api_key) or not self.key_required


def clamp(field_name: str, value: float) -> float:
    """``value`` brought inside the field's :data:`LIMITS`."""
    low, high = LIMITS[field_name]
    return min(max(value, low), high)


def with_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """``settings`` with a visitor's choices applied, within what the deployer allows.

    Numbers are clamped to range and max tokens to ``max_tokens_limit``; a model
    outside ``allowed_models`` keeps the configured one; a visitor's server is used
    only while the deployer configured no key (the key must never go to it).
    ``None`` and blank strings mean "keep the configured value".
    """
    changes: dict[str, Any] = {}
    for name, value in overrides.items():
        if name not in VISITOR_CHOICES or value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        if name in LIMITS:
            kind = int if isinstance(getattr(settings, name), int) else float
            value = kind(clamp(name, kind(value)))
        changes[name] = value
    if "max_tokens" in changes:
        changes["max_tokens"] = min(changes["max_tokens"], settings.max_tokens_limit)
    if settings.allowed_models and changes.get("model") not in settings.allowed_models:
        changes.pop("model", None)
    if settings.api_key:
        changes.pop("base_url", None)
    if changes.get("reasoning_effort") not in (None, *REASONING_EFFORTS):
        changes.pop("reasoning_effort")
    return replace(settings, **changes)


def stored_settings(settings: Settings) -> dict[str, Any]:
    """The settings a conversation is saved with: only named, non-secret ones."""
    return {
        name: getattr(settings, name)
        for name in STORED_SETTINGS
        if getattr(settings, name) is not None
    }
