"""Reading a page: HTML to text by a parser, bounded, redirects checked."""

from __future__ import annotations

import ipaddress

import pytest

from chat_core.web.address_guard import guarded_client
from chat_core.web.page_text import MAX_PAGE_BYTES, MAX_REDIRECTS, PageError, read_page
from tests.support.web_pages import scripted_web

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)


@pytest.fixture
def web():
    with scripted_web() as web:
        yield web


@pytest.fixture
def client():
    with guarded_client(LOOPBACK, timeout=10, max_redirects=MAX_REDIRECTS) as client:
        yield client


def test_html_becomes_its_text_without_scripts_styles_or_navigation(web, client):
    page = read_page(web.page("ramen.html"), client=client)
    assert page.title == "Ramen near Tokyo Station"
    assert "Rokurinsha opens at 7:30 and serves tsukemen." in page.text
    assert "東京駅のラーメンストリートには八つの店があります。" in page.text
    for left_out in ("never read", "color: red", "Login", "scripted web"):
        assert left_out not in page.text
    assert not page.cut


def test_plain_text_is_read_as_it_is_with_blank_runs_made_one(web, client):
    assert read_page(web.page("notes.txt"), client=client).text == "plain notes\n\nend"


def test_a_redirect_is_followed_to_an_allowed_address(web, client):
    page = read_page(web.page("redirect?to=/pages/ramen.html"), client=client)
    assert page.url == web.page("ramen.html") and "Rokurinsha" in page.text


def test_a_redirect_to_a_private_address_is_not_followed(web, client):
    with pytest.raises(PageError, match=r"not read: .*10\.0\.0\.1"):
        read_page(web.page("redirect?to=http://10.0.0.1/admin"), client=client)


def test_loopback_is_refused_unless_allowed(web):
    with guarded_client(timeout=10) as strict, pytest.raises(PageError, match="private or local"):
        read_page(web.page("ramen.html"), client=strict)
    assert web.requests == []


def test_a_page_past_the_bound_is_cut(web, client):
    page = read_page(web.page("huge.html"), client=client)
    assert page.cut and len(page.text) <= MAX_PAGE_BYTES


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("picture.png", "not a web page \\(image/png\\)"),
        ("missing", "HTTP 404"),
    ],
)
def test_what_is_not_a_page_is_said(web, client, address, why):
    with pytest.raises(PageError, match=why):
        read_page(web.page(address), client=client)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/", "http://[::1"])
def test_only_web_addresses_are_read(client, url):
    with pytest.raises(PageError):
        read_page(url, client=client)


def test_a_charset_python_does_not_know_is_read_as_utf8(web, client):
    assert read_page(web.page("odd-charset.txt"), client=client).text == "café"
