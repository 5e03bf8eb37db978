"""Work the first answer would otherwise do on the visitor's time, done ahead."""

from __future__ import annotations

from langchain_core.messages import AIMessageChunk, HumanMessage
from langchain_core.outputs import ChatGenerationChunk

from chat_core.prompt.system_prompts import build_prompt
from chat_core.provider.chat_model import PLACEHOLDER_API_KEY, make_chat_model
from chat_core.settings.settings import Settings

__all__ = ["warm_up"]


def warm_up(*, base_url: str | None, request_timeout: float) -> None:
    """Import and build what an answer needs, without sending anything.

    Building the model creates (and caches, per base URL and timeout) the HTTP
    connection pool with its TLS context, and imports the client's lazy modules;
    formatting a prompt and a chunk builds LangChain's validators. No key is used:
    the pool and the modules hold none.
    """
    settings = Settings(
        api_key=PLACEHOLDER_API_KEY, base_url=base_url, request_timeout=request_timeout
    )
    make_chat_model(settings)
    build_prompt().invoke(
        {"system_prompt": "", "history": [], "input": [HumanMessage(content="")]}
    ).to_messages()
    ChatGenerationChunk(message=AIMessageChunk(content="")) + ChatGenerationChunk(
        message=AIMessageChunk(content="")
    )
