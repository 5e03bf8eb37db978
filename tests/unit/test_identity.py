"""Who a visitor is: addresses, forwarded headers, signed-in users."""

from __future__ import annotations

import ipaddress

import pytest

from chat_core.identity import (
    SignedInUser,
    client_address,
    is_loopback_host,
    limit_identity,
    parse_address,
    parse_networks,
    same_origin,
)

ip = ipaddress.ip_address
LOCAL_PROXY = parse_networks("127.0.0.1, ::1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("::ffff:127.0.0.1", "127.0.0.1"),  # a browser at 127.0.0.1 on a dual-stack socket
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("203.0.113.9", "203.0.113.9"),
        ("[2001:db8::1]:8501", "2001:db8::1"),
        ("203.0.113.9:443", "203.0.113.9"),
        ("fe80::1%eth0", "fe80::1"),
        ("not an address", None),
        ("", None),
        (None, None),
    ],
)
def test_addresses_are_read_and_ipv4_mapped_ones_unwrapped(text, expected):
    assert parse_address(text) == (ip(expected) if expected else None)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost:8501", True),
        ("127.0.0.1:8501", True),
        ("[::1]:8501", True),
        ("[::ffff:127.0.0.1]:8501", True),
        ("LOCALHOST", True),
        (None, True),
        ("chat.example.com", False),
        ("192.168.1.5:8501", False),
    ],
)
def test_loopback_host_names(host, loopback):
    assert is_loopback_host(host) is loopback


def test_only_the_apps_own_page_is_the_same_origin():
    assert same_origin("http://localhost:8501", "localhost:8501")
    assert same_origin(None, "localhost:8501")  # not a browser
    assert not same_origin("http://localhost:3000", "localhost:8501")  # another local page
    assert not same_origin("http://evil.example", "localhost:8501")


def test_a_direct_visitor_is_their_address_and_this_machine_is_nobody():
    assert client_address("203.0.113.9", [], ()) == ip("203.0.113.9")
    assert client_address(None, [], ()) is None
    assert client_address("::ffff:127.0.0.1", [], ()) is None


def test_a_forwarded_header_counts_only_from_a_proxy_the_deployer_named():
    # uvicorn replaced the loopback peer by the header's address: nobody vouches for it.
    forwarded_for = ["198.51.100.7"]
    assert client_address("198.51.100.7", forwarded_for, ()) is None
    # Named proxy on this machine: believed.
    assert client_address("198.51.100.7", forwarded_for, LOCAL_PROXY) == ip("198.51.100.7")


def test_a_local_client_cannot_pick_a_new_identity_per_request():
    identities = {
        limit_identity(None, client_address(f"10.9.9.{n}", [f"10.9.9.{n}"], ()), "tab")
        for n in range(5)
    }
    assert identities == {"session:tab"}


def test_a_remote_visitor_cannot_hide_behind_a_forged_header():
    forwarded_for = ["1.2.3.4"]  # uvicorn did not trust the remote peer
    assert client_address("203.0.113.9", forwarded_for, ()) == ip("203.0.113.9")
    assert client_address("203.0.113.9", forwarded_for, LOCAL_PROXY) == ip("203.0.113.9")
    assert client_address("203.0.113.9", ["garbage"], ()) == ip("203.0.113.9")


def test_a_chain_of_named_proxies_is_walked_from_the_newest_hop():
    proxies = parse_networks("10.0.0.0/8")
    forwarded_for = ["1.2.3.4, 203.0.113.50, 10.0.0.2"]
    # The peer 10.0.0.1 is a named proxy; 10.0.0.2 too; 203.0.113.50 is the visitor
    # (1.2.3.4 is whatever the visitor wrote themselves).
    assert client_address("10.0.0.1", forwarded_for, proxies) == ip("203.0.113.50")


# HAProxy at its own address (deploy/compose.yaml), which uvicorn does not trust: the
# app sees the proxy as its peer, and HAProxy's `option forwardfor` adds its own line
# after the one the visitor wrote.
HAPROXY = "172.18.0.5"
HAPROXY_NETWORK = parse_networks(HAPROXY)


@pytest.mark.parametrize("visitor_wrote", ["6.6.6.1", "6.6.6.2", "198.51.100.77", "10.0.0.1"])
def test_the_proxys_own_line_counts_not_the_one_the_visitor_wrote(visitor_wrote):
    lines = [visitor_wrote, "203.0.113.66"]
    assert client_address(HAPROXY, lines, HAPROXY_NETWORK) == ip("203.0.113.66")
    # The same chain in one line, as a proxy that appends to the header writes it.
    joined = [", ".join(lines)]
    assert client_address(HAPROXY, joined, HAPROXY_NETWORK) == ip("203.0.113.66")


def test_a_proxy_on_this_machine_adds_its_line_too():
    # uvicorn joined the lines and put the newest untrusted entry in place of the peer.
    lines = ["6.6.6.1", "203.0.113.66"]
    assert client_address("203.0.113.66", lines, LOCAL_PROXY) == ip("203.0.113.66")
    assert client_address("203.0.113.66", lines, ()) is None  # the proxy is not named


def test_every_line_of_a_chain_of_named_proxies_is_walked():
    proxies = parse_networks("10.0.0.0/8")
    lines = ["1.2.3.4", "203.0.113.50, 10.0.0.3", "10.0.0.2"]
    assert client_address("10.0.0.1", lines, proxies) == ip("203.0.113.50")
    # A named proxy that forwarded something unreadable: nobody to count.
    assert client_address("10.0.0.1", ["203.0.113.50", "garbage"], proxies) is None
    # What the visitor wrote before their own address is never read.
    assert client_address("10.0.0.1", ["garbage", "203.0.113.50"], proxies) == ip("203.0.113.50")


def test_a_header_of_many_entries_is_read_only_as_far_as_a_chain_of_proxies_goes():
    proxies = parse_networks("10.0.0.0/8")
    endless = ", ".join(["10.0.0.9"] * 2000)
    assert client_address("10.0.0.1", [endless] * 100, proxies) is None
    assert client_address("10.0.0.1", [endless, "203.0.113.50"], proxies) == ip("203.0.113.50")
    # A remote visitor who writes their own address after endless loopback entries is
    # still the peer uvicorn saw, not this machine.
    loopback = ", ".join(["127.0.0.1"] * 2000)
    for lines in ([loopback], [loopback, "127.0.0.1"], ["203.0.113.9", loopback]):
        assert client_address("203.0.113.9", lines, LOCAL_PROXY) == ip("203.0.113.9")


def test_limits_count_an_ipv6_visitor_by_their_network():
    first = limit_identity(None, ip("2001:db8:1:2::1"), "a")
    second = limit_identity(None, ip("2001:db8:1:2:ffff::9"), "b")
    assert first == second == "ip:2001:db8:1:2::/64"
    assert limit_identity("local", ip("203.0.113.9"), "a") == "local"
    assert limit_identity(None, None, "a") != limit_identity(None, None, "b")


def _user(**claims) -> SignedInUser:
    return SignedInUser.from_claims({"iss": "https://idp.example", "sub": "s-1", **claims})


def test_a_signed_in_user_is_keyed_by_issuer_and_subject_not_by_email():
    alice = _user(email="alice@example.com", email_verified=True)
    mallory = SignedInUser.from_claims(
        {"iss": "https://idp.example", "sub": "mallory", "email": "alice@example.com"}
    )
    assert alice.owner == "oidc:https://idp.example#s-1"
    assert mallory.owner != alice.owner
    assert SignedInUser.from_claims({"email": "x@example.com"}) is None
    long = _user(sub="x" * 400)
    assert long.owner.startswith("oidc:sha256:") and len(long.owner) < 100


def test_an_unverified_email_passes_no_allow_list_and_makes_no_admin():
    allowed = frozenset({"@example.com"})
    admins = frozenset({"alice@example.com"})
    unverified = _user(email="alice@example.com")
    verified = _user(email="Alice@Example.com", email_verified=True)
    assert not unverified.is_allowed(allowed) and not unverified.is_admin(admins)
    assert unverified.legacy_owner is None  # cannot take over Alice's earlier history
    assert verified.is_allowed(allowed) and verified.is_admin(admins)
    assert verified.is_allowed(frozenset({"alice@example.com"}))
    assert not verified.is_allowed(frozenset({"@example.org"}))
    assert unverified.is_allowed(frozenset())  # no list: anyone who signs in
    assert _user(email="a@example.com", email_verified="true").verified_email == "a@example.com"
