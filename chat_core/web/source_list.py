"""An answer's sources as Markdown: ``[1] Title · site``, each title a link.

A title and an address come from a search provider or a page, so the title is escaped
and the address can only be the link it is: an http(s) URL whose characters Markdown
could read otherwise are percent-encoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from chat_core.conversation.tool_steps import Source
from chat_core.markdown.visitor_text import escape_markdown

__all__ = ["link_target", "sources_markdown"]

# What may stay as it is in a link's address (RFC 3986's reserved and unreserved
# characters and %), less what ends or breaks a Markdown link: ( ) < > and spaces.
_KEPT = ":/?#[]@!$&'*+,;=%-._~"


def link_target(url: str) -> str:
    return quote(url, safe=_KEPT)


def sources_markdown(sources: Sequence[Source]) -> str:
    """One line per source, numbered as the answer cites them."""
    lines = []
    for source in sources:
        if not source.url.lower().startswith(("http://", "https://")):
            continue
        title = escape_markdown(source.title) or escape_markdown(source.site)
        site = escape_markdown(source.site)
        lines.append(f"\\[{source.number}\\] [{title}]({link_target(source.url)}) · {site}")
    return "  \n".join(lines)
