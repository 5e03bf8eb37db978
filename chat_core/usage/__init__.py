"""Tokens: estimated before a request, reported after it, and what they cost."""
