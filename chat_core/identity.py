"""Who a visitor is: whose history they see, and whom the limits count against.

Three kinds of visitor, strongest first:

- signed in (OpenID Connect): keyed by issuer and subject, the only claims a provider
  guarantees are theirs alone; the e-mail counts for the allow-list and for admins
  only when the provider says it is verified;
- a client address, when the connection comes from elsewhere: the socket's peer, or,
  when that peer is a proxy the deployer named, the address the proxy forwarded;
- the browser session, for everything else (a loopback peer is this machine's own
  user or a same-host proxy, never one visitor).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "LOCAL_OWNER",
    "PROXY_HEADERS",
    "IPAddress",
    "IPNetwork",
    "SignedInUser",
    "client_address",
    "is_loopback_host",
    "limit_identity",
    "network_identity",
    "parse_address",
    "parse_networks",
    "same_origin",
]

LOCAL_OWNER = "local"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Headers that say a request was forwarded by a proxy.
PROXY_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
# What uvicorn (Streamlit's server) trusts X-Forwarded-For from unless told otherwise;
# it then replaces the peer's address with one taken from that header.
_UVICORN_TRUSTED = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))
_LOOPBACK = ipaddress.ip_address("127.0.0.1")
# The most X-Forwarded-For entries read, newest first: more proxies than any deployment
# chains, fewer than a visitor can write.
_MAX_HOPS = 32
# The longest owner key the store keeps; longer ones are hashed.
_OWNER_LENGTH = 320
# An IPv6 visitor controls a whole /64: counting each address apart would let one
# visitor be millions of visitors.
_IPV6_PREFIX = 64


def parse_address(text: str | None) -> IPAddress | None:
    """An IP address; IPv4-mapped IPv6 (``::ffff:127.0.0.1``) as the IPv4 address it is."""
    if not text:
        return None
    try:
        address = ipaddress.ip_address(_host(text.strip()).split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """Comma-separated addresses or networks (``10.0.0.0/8, ::1``); raises ValueError."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    )


def is_loopback_host(host_header: str | None) -> bool:
    """Whether the page was asked for by a loopback name or address (``Host`` header)."""
    host = (host_header or "localhost").strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")]
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    if host in _LOOPBACK_NAMES:
        return True
    address = parse_address(host)
    return address is not None and address.is_loopback


def same_origin(origin: str | None, host_header: str | None) -> bool:
    """Whether the page that opened the connection is this app's own page.

    Browsers send ``Origin`` with every websocket; Streamlit admits any page on a
    loopback name whatever its port, so another local web page could otherwise act
    as the local owner. No ``Origin`` (not a browser) counts as the same origin.
    """
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == (host_header or "").strip().lower()


def _newest_entries(lines: Sequence[str]) -> tuple[list[str], bool]:
    """The entries of every X-Forwarded-For line, newest first, at most ``_MAX_HOPS``,
    and whether that is all of them.

    Each proxy appends its own line (HAProxy's ``option forwardfor``) or its own entry,
    so the newest are last. Nothing older than a real chain of proxies could be is read,
    so a header of thousands of entries costs what a short one does.
    """
    entries: list[str] = []
    for line in reversed(lines):
        left = _MAX_HOPS - len(entries)
        if not left:
            return entries, False
        parts = line.rsplit(",", left)
        entries.extend(part.strip() for part in reversed(parts[-left:]))
        if len(parts) > left:
            return entries, False
    return entries, True


def _host(entry: str) -> str:
    """An entry without its port (``[2001:db8::1]:443``, ``192.0.2.1:443``), as uvicorn
    reads it."""
    if entry.startswith("[") and "]" in entry:
        return entry[1 : entry.index("]")]
    if entry.count(":") == 1:
        return entry.split(":", 1)[0]
    return entry


def _trusted_by_uvicorn(entry: str) -> bool:
    try:
        return ipaddress.ip_address(_host(entry)) in _UVICORN_TRUSTED
    except ValueError:
        return False


def _rewritten_by_uvicorn(address: IPAddress | None, hops: Sequence[str], whole: bool) -> bool:
    """Whether ``address`` is the entry uvicorn put in place of a loopback peer: the
    newest one it does not trust (None: a loopback peer, or one it could not read)."""
    if address is None:
        return True
    for entry in hops:
        if not _trusted_by_uvicorn(entry):
            return parse_address(entry) == address
    # uvicorn trusts every entry read: it took the oldest. Past the entries read, only a
    # visitor's own words: the peer is then taken as real, as it is for a remote one.
    return whole and parse_address(hops[-1]) == address


def _trusted(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address in network for network in networks)


def client_address(
    peer: str | None, forwarded_for: Sequence[str], trusted_proxies: Sequence[IPNetwork]
) -> IPAddress | None:
    """The visitor's address, or None when it is this machine (or cannot be told apart).

    ``peer`` is the address Streamlit reports (None for loopback); ``forwarded_for`` is
    every X-Forwarded-For line in the order received: a visitor may send their own,
    and the proxy adds its line after it. Streamlit's server (uvicorn) already replaced
    a loopback peer by an address from the header, so a peer that equals uvicorn's pick
    came from loopback; a peer that does not is the real one. From there the chain is
    walked from the newest hop through the proxies named in ``trusted_proxies`` only:
    the first address that is not one of them is the visitor.
    """
    address = parse_address(peer)
    hops, whole = _newest_entries(forwarded_for)
    if not hops:
        return None if address is None or address.is_loopback else address
    hop = _LOOPBACK if _rewritten_by_uvicorn(address, hops, whole) else address
    for entry in hops:
        if not _trusted(hop, trusted_proxies):
            break
        hop = parse_address(entry)
        if hop is None:
            return None  # a named proxy forwarded something unreadable: nobody to count
    else:
        if _trusted(hop, trusted_proxies):
            return None  # proxies all the way down, as far as a real chain goes
    return None if hop.is_loopback else hop


def limit_identity(owner: str | None, address: IPAddress | None, session_id: str) -> str:
    """Whom the limits count against: the owner, else the address, else the tab."""
    if owner:
        return owner
    if address is not None:
        return network_identity(address)
    return f"session:{session_id}"


def network_identity(address: IPAddress | None) -> str:
    """The network a visitor comes from: their address (an IPv6 one's /64). Without one
    (through a proxy on this machine that is not trusted), every such visitor is one
    network: the app cannot tell them apart, so none may take the others' share."""
    if isinstance(address, ipaddress.IPv6Address):
        network = ipaddress.ip_network(f"{address}/{_IPV6_PREFIX}", strict=False)
        return f"ip:{network}"
    return f"ip:{address}" if address is not None else "ip:unknown"


@dataclass(frozen=True)
class SignedInUser:
    """The claims of a signed-in user's ID token that this app relies on."""

    issuer: str
    subject: str
    email: str | None = None
    email_verified: bool = False
    name: str | None = None

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> SignedInUser | None:
        """The user of an ID token's claims; None without an issuer and a subject."""
        issuer, subject = claims.get("iss"), claims.get("sub")
        if not issuer or not subject:
            return None
        email = claims.get("email")
        return cls(
            issuer=str(issuer),
            subject=str(subject),
            email=str(email).strip() if email else None,
            email_verified=claims.get("email_verified") in (True, "true", "True"),
            name=str(claims["name"]) if claims.get("name") else None,
        )

    @property
    def owner(self) -> str:
        """The key their conversations are stored under: issuer and subject."""
        key = f"oidc:{self.issuer}#{self.subject}"
        if len(key) <= _OWNER_LENGTH:
            return key
        return "oidc:sha256:" + hashlib.sha256(key.encode()).hexdigest()

    @property
    def verified_email(self) -> str | None:
        """The e-mail, lowercased, when the provider vouches for it; else None."""
        return self.email.lower() if self.email and self.email_verified else None

    @property
    def legacy_owner(self) -> str | None:
        """The key earlier versions stored this user's conversations under (by e-mail).

        Only a verified e-mail may take those conversations over.
        """
        return f"user:{self.email}" if self.verified_email else None

    @property
    def shown_as(self) -> str:
        return self.email or self.name or self.subject

    def is_allowed(self, allowed: frozenset[str]) -> bool:
        """Whether the allow-list (e-mails and ``@domain`` entries) lets this user in.

        An empty list lets anyone in who signed in; a non-empty one needs a verified
        e-mail, since anyone can claim an unverified one.
        """
        if not allowed:
            return True
        email = self.verified_email
        if email is None:
            return False
        domain = "@" + email.rpartition("@")[2]
        return email in allowed or domain in allowed

    def is_admin(self, admins: frozenset[str]) -> bool:
        email = self.verified_email
        return email is not None and (email in admins or f"user:{email}" in admins)
