"""Tests of chat_core/markdown/."""
