"""Chat logic that needs no Streamlit: settings, prompts, memory, streaming, model calls."""
