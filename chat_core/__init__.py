"""Chat logic that needs no Streamlit, in packages named for what they hold: the prompt, the
provider, answers, conversations, files, settings, storage, transfer, usage, markdown."""
