"""System prompts (Japanese and English) and the chat prompt template."""

from __future__ import annotations

from functools import cache

from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder

__all__ = ["DEFAULT_SYSTEM_PROMPTS", "build_prompt", "default_system_prompt", "with_project"]

# The seed app's prompt (Japanese) and its English twin.
DEFAULT_SYSTEM_PROMPTS: dict[str, str] = {
    "ja": (
        "あなたは人間と会話するAIアシスタントです。"
        "これまでの会話の流れを踏まえて、人間の質問に答えてください。"
        "答えがわからないときは、正直に「わかりません」と答えてください。"
    ),
    "en": (
        "You are an AI assistant having a conversation with a human. "
        "Answer the human's questions, taking the conversation so far into account. "
        "If you do not know the answer, say honestly that you do not know."
    ),
}


def default_system_prompt(language: str) -> str:
    """The shipped system prompt for ``language``; English for anything unknown."""
    return DEFAULT_SYSTEM_PROMPTS.get(language, DEFAULT_SYSTEM_PROMPTS["en"])


_PROJECT_HEADINGS = {
    "ja": "このプロジェクトの指示（この会話にも従ってください）：",
    "en": "Instructions of this project (follow them in this conversation too):",
}


def with_project(system_prompt: str, instructions: str, language: str) -> str:
    """The conversation's system prompt, then its project's instructions (if any)."""
    if not instructions.strip():
        return system_prompt
    heading = _PROJECT_HEADINGS.get(language, _PROJECT_HEADINGS["en"])
    return f"{system_prompt}\n\n{heading}\n{instructions.strip()}"


@cache
def build_prompt() -> ChatPromptTemplate:
    """System prompt, then the windowed history, then the new human message.

    The system prompt is a template *variable* and the new message a ready-made
    message (text, or text and images), so braces typed by a visitor are passed
    through literally instead of being parsed as a template.

    Built once per process: building parses its templates (a few ms of one GIL for
    every turn of every visitor), and ``invoke`` reads it without changing it.
    """
    return ChatPromptTemplate(
        [
            ("system", "{system_prompt}"),
            MessagesPlaceholder("history"),
            MessagesPlaceholder("input"),
        ]
    )
