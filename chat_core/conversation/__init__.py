"""A conversation as plain Python: its messages and their versions, the codec that writes a
message down, the chat list's groups, a search result's snippet, an imported conversation.
"""
