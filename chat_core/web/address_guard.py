"""HTTP clients that reach only public addresses, for what a visitor or a model names.

A page the model reads and a visitor's own MCP server are addresses chosen by somebody
other than the deployer, so they must not reach this machine, its network or a cloud's
metadata service. The check is made where the connection is made: the host is resolved,
every address it resolves to must be public (or in a network the deployer allows), and
the connection goes to the address that was checked, so a name that resolves again to
a private address (DNS rebinding) gets nowhere. Redirects are connections like any
other: each one is checked the same way. Proxies from the environment are not used
(they would be checked instead of the address behind them).
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from collections.abc import Iterable, Sequence
from typing import Any

import anyio
import httpcore
import httpx

from chat_core.identity import IPNetwork

__all__ = [
    "AddressRefusedError",
    "address_allowed",
    "checked_address",
    "guarded_async_client",
    "guarded_client",
    "refusal_of",
    "verified_tls",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefusedError(httpcore.ConnectError):
    """The host is (or resolves to) an address that may not be reached. httpx raises it
    as the ``httpx.ConnectError`` it maps it to, as for any failed connection (so MCP's
    transports and retries treat it as one); :func:`refusal_of` finds it there."""

    def __init__(self, message: str, *, unresolved: bool = False) -> None:
        super().__init__(message)
        self.unresolved = unresolved  # the name does not resolve (else: not a public address)


def refusal_of(error: BaseException) -> AddressRefusedError | None:
    """The refusal behind ``error`` (an httpx error from a guarded client), if it is one."""
    while error is not None:
        if isinstance(error, AddressRefusedError):
            return error
        error = error.__cause__ or error.__context__
    return None


def address_allowed(address: IPAddress, allowed: Iterable[IPNetwork] = ()) -> bool:
    """Public (not loopback, private, link-local, shared, reserved nor multicast), or in a
    network the deployer allows."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address.version == net.version and address in net for net in allowed):
        return True
    return address.is_global and not address.is_multicast


def _checked(host: str, infos: Sequence[tuple[Any, ...]], allowed: Sequence[IPNetwork]) -> str:
    """The first address ``host`` resolved to, if every one of them may be reached."""
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise AddressRefusedError(f"{host} does not resolve", unresolved=True)
    refused = [a for a in addresses if not address_allowed(a, allowed)]
    if refused:
        raise AddressRefusedError(f"{host} is a private or local address ({refused[0]})")
    return str(addresses[0])


def checked_address(host: str, port: int, allowed: Sequence[IPNetwork] = ()) -> str:
    """The address to connect to for ``host``, once every address it resolves to passed
    (raises AddressRefusedError)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefusedError(f"{host} does not resolve", unresolved=True) from exc
    return _checked(host, infos, allowed)


class _GuardedBackend(httpcore.NetworkBackend):
    def __init__(self, allowed: Sequence[IPNetwork]) -> None:
        self._allowed = tuple(allowed)
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        address = checked_address(host, port, self._allowed)
        return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    def connect_unix_socket(self, *args, **kwargs):
        raise AddressRefusedError("unix sockets are not reached")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _GuardedAsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, allowed: Sequence[IPNetwork]) -> None:
        self._allowed = tuple(allowed)
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise AddressRefusedError(f"{host} does not resolve", unresolved=True) from exc
        address = _checked(host, infos, self._allowed)
        return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(self, *args, **kwargs):
        raise AddressRefusedError("unix sockets are not reached")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def verified_tls() -> ssl.SSLContext:
    """The certificate authorities httpx trusts, loaded once per process (loading them
    takes tens of milliseconds; the context holds no visitor's data)."""
    return httpx.create_ssl_context()


def guarded_client(allowed: Sequence[IPNetwork] = (), **options: Any) -> httpx.Client:
    """An ``httpx.Client`` whose every connection (redirects too) is checked."""
    transport = httpx.HTTPTransport(verify=verified_tls(), retries=0)
    # httpx builds its pool without a way to pass a network backend: give it one.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=verified_tls(), network_backend=_GuardedBackend(allowed)
    )
    return httpx.Client(transport=transport, trust_env=False, **options)


def guarded_async_client(allowed: Sequence[IPNetwork] = (), **options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose every connection (redirects too) is checked."""
    transport = httpx.AsyncHTTPTransport(verify=verified_tls(), retries=0)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=verified_tls(), network_backend=_GuardedAsyncBackend(allowed)
    )
    return httpx.AsyncClient(transport=transport, trust_env=False, **options)
