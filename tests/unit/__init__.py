"""Tests of chat_core's modules, called directly (no Streamlit), one folder per package."""
