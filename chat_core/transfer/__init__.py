"""Conversations in and out as files and links: export, import (the app's own, ChatGPT's) in a
bounded child process, share snapshots.
"""
