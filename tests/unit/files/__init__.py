"""Tests of chat_core/files/."""
