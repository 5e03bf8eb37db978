"""Tests of chat_core/provider/."""
