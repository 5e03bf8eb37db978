"""Conversations, usage and reports in SQLite (default) or PostgreSQL.

``schema`` has the tables as they are; ``migrations`` the steps that build them;
``engine`` the connection and locking; ``store`` conversations and every version of
their messages (``message_rows`` a message's columns); ``listing`` the list of them,
searched; ``usage_log`` the ledger of requests behind the limits; ``reports`` what the
Usage page shows; ``owner_choices`` what an owner chose for all their chats.
"""
