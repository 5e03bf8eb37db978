"""Streamlit-only pieces of the UI; the logic they call lives in ``chat_core``."""
