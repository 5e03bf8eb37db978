"""The guarded clients reach public addresses only, checked where they connect."""

from __future__ import annotations

import asyncio
import ipaddress
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from chat_core.web.address_guard import (
    address_allowed,
    guarded_async_client,
    guarded_client,
    refusal_of,
)
from tests.support.web_pages import scripted_web

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "::1", "::ffff:127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1",
     "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "fd00::1", "fe80::1"],
)  # fmt: skip
def test_private_and_local_addresses_are_refused(address):
    assert not address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "1.1.1.1"])
def test_public_addresses_are_allowed(address):
    assert address_allowed(ipaddress.ip_address(address))


def test_a_network_the_deployer_allows_is_reached():
    assert address_allowed(ipaddress.ip_address("10.1.2.3"), ipaddress.ip_network("10.0.0.0/8")
                           .subnets(new_prefix=8))  # fmt: skip
    assert address_allowed(ipaddress.ip_address("::ffff:127.0.0.1"), LOOPBACK)


def test_loopback_is_refused_before_anything_is_sent():
    with scripted_web() as web, guarded_client() as client:
        by_name = web.page("ramen.html").replace("127.0.0.1", "localhost")
        for url in (web.page("ramen.html"), by_name):
            with pytest.raises(httpx.ConnectError) as raised:
                client.get(url)
            assert "private or local" in str(refusal_of(raised.value))
        assert web.requests == []


def test_an_allowed_network_is_reached():
    with scripted_web() as web, guarded_client(LOOPBACK) as client:
        assert client.get(web.page("ramen.html")).status_code == 200


def test_a_redirect_to_a_private_address_is_refused():
    with scripted_web() as web, guarded_client(LOOPBACK, follow_redirects=True) as client:
        with pytest.raises(httpx.ConnectError) as raised:
            client.get(web.page("redirect"), params={"to": "http://169.254.169.254/latest/"})
        assert "169.254.169.254" in str(refusal_of(raised.value))
        assert [r.path for r in web.requests] == ["/pages/redirect"]


def test_the_async_client_is_guarded_too():
    async def get(client: httpx.AsyncClient, url: str) -> int:
        async with client:
            return (await client.get(url)).status_code

    def fetch(client: httpx.AsyncClient, url: str) -> int:
        """On a loop of its own (a test before may have left one running in this thread)."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, get(client, url)).result(timeout=30)

    with scripted_web() as web:
        with pytest.raises(httpx.ConnectError) as raised:
            fetch(guarded_async_client(), web.page("ramen.html"))
        assert refusal_of(raised.value) is not None
        assert fetch(guarded_async_client(LOOPBACK), web.page("ramen.html")) == 200


def test_a_name_that_does_not_resolve_is_said():
    with guarded_client() as client, pytest.raises(httpx.ConnectError) as raised:
        client.get("http://no-such-host.invalid/")
    assert "does not resolve" in str(refusal_of(raised.value))


def test_an_error_that_is_no_refusal_is_not_taken_for_one():
    assert refusal_of(httpx.ConnectError("refused")) is None
