"""``ChatOpenAI`` that keeps a thinking model's reasoning instead of dropping it.

``langchain_openai.ChatOpenAI`` reads only OpenAI's own delta fields, so the
``reasoning_content`` / ``reasoning`` deltas of vLLM, DeepSeek, LM Studio, Ollama and
OpenRouter are lost (its module docstring says so and points to provider subclasses).
This subclass uses the same extension point as LangChain's provider packages
(``langchain-deepseek``): it calls the parent's conversion and adds the reasoning to
the message chunk's ``additional_kwargs["reasoning_content"]``, the key LangChain's
provider packages use for it.

How it reaches a callback handler: with ``streaming=True``, ``BaseChatModel`` invokes
``_stream`` and calls ``on_llm_new_token(chunk.message.content, chunk=chunk)`` for
every chunk it yields, empty content included, so a reasoning-only chunk arrives as
``token == ""`` with the reasoning in ``chunk.message.additional_kwargs``. The chunks
are then summed, so the final message holds the whole reasoning under the same key.

Reasoning token counts need nothing here: the parent already maps
``usage.completion_tokens_details.reasoning_tokens`` to
``usage_metadata["output_token_details"]["reasoning"]``.
"""

from __future__ import annotations

from typing import Any, Self

import openai
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI
from pydantic import model_validator

from chat_core.provider.dict_chunks import DictChunkCompletions
from chat_core.provider.thinking_split import reasoning_delta, reasoning_field

__all__ = ["REASONING_KEY", "ThinkingChatOpenAI", "reasoning_of"]

# LangChain's key for reasoning text in ``additional_kwargs`` (langchain-deepseek,
# langchain-ollama, langchain-groq use it too).
REASONING_KEY = "reasoning_content"


def reasoning_of(message: Any) -> str:
    """The reasoning a message or message chunk carries (``""`` if none)."""
    value = getattr(message, "additional_kwargs", {}).get(REASONING_KEY)
    return value if isinstance(value, str) else ""


class ThinkingChatOpenAI(ChatOpenAI):
    """A ``ChatOpenAI`` whose messages keep the server's reasoning deltas, and whose
    streamed chunks arrive as dicts (see ``dict_chunks``)."""

    @model_validator(mode="after")
    def _stream_dict_chunks(self) -> Self:
        if self.root_client is not None and not isinstance(self.client, DictChunkCompletions):
            self.client = DictChunkCompletions(self.root_client)
        return self

    def _convert_chunk_to_generation_chunk(
        self,
        chunk: dict,
        default_chunk_class: type,
        base_generation_info: dict | None,
    ) -> ChatGenerationChunk | None:
        generation = super()._convert_chunk_to_generation_chunk(
            chunk, default_chunk_class, base_generation_info
        )
        if generation is not None and isinstance(generation.message, AIMessageChunk):
            reasoning = reasoning_delta(chunk)
            if reasoning:
                generation.message.additional_kwargs[REASONING_KEY] = reasoning
        return generation

    def _create_chat_result(
        self,
        response: dict | openai.BaseModel,
        generation_info: dict | None = None,
    ) -> ChatResult:
        """The same for a non-streamed answer, whose message holds the whole reasoning."""
        result = super()._create_chat_result(response, generation_info)
        raw = (
            response
            if isinstance(response, dict)
            else response.model_dump(
                exclude={"choices": {"__all__": {"message": {"parsed"}}}}, warnings=False
            )
        )
        for generation, choice in zip(result.generations, raw.get("choices") or [], strict=False):
            reasoning = reasoning_field(choice.get("message"))
            if reasoning and isinstance(generation.message, AIMessage):
                generation.message.additional_kwargs[REASONING_KEY] = reasoning
        return result
