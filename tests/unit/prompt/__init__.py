"""Tests of chat_core/prompt/."""
