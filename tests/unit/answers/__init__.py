"""Tests of chat_core/answers/."""
