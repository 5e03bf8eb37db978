"""Tests of chat_core/conversation/."""
