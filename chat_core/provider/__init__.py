"""The model's server: the chat model built from settings, its stream and thinking, its
failures as messages, a local server found and warmed.
"""
