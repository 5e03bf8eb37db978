"""Tests of chat_core/transfer/."""
