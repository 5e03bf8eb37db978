"""Tests of chat_core/settings/."""
