"""Tests of chat_core/storage/."""
