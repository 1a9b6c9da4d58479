"""The client's address: X-Forwarded-For counts only as far as the trusted proxies vouch for it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from porchlight.proxy import Trust, client_ip, parse

PROXY = "10.0.0.5"


def ip(settings, trusted: str, remote: str, forwarded: str | None = None) -> str:
    settings.TRUSTED_PROXIES = trusted
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **headers))


def test_nobody_is_trusted_by_default(settings):
    assert ip(settings, "", "203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_a_forged_header_from_an_untrusted_client_is_ignored(settings):
    # The client talks to Porchlight directly, not through the proxy, and claims to be someone.
    assert ip(settings, "10.0.0.0/8", "203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_the_proxy_names_the_client(settings):
    assert ip(settings, "10.0.0.0/8", PROXY, "203.0.113.7") == "203.0.113.7"
    assert ip(settings, "10.0.0.0/8", PROXY, "2001:db8::1") == "2001:db8::1"


def test_a_dual_stack_server_sees_the_proxy_as_a_mapped_address(settings):
    assert ip(settings, "127.0.0.1", "::ffff:127.0.0.1", "203.0.113.7") == "203.0.113.7"
    assert ip(settings, "127.0.0.1", "::ffff:203.0.113.9", "198.51.100.1") == "203.0.113.9"
    assert ip(settings, "", "::ffff:203.0.113.9") == "203.0.113.9"


def test_what_the_client_wrote_before_the_proxy_appended_is_ignored(settings):
    # nginx's $proxy_add_x_forwarded_for keeps the client's header and appends the address it saw.
    assert ip(settings, "10.0.0.0/8", PROXY, "198.51.100.1, 203.0.113.7") == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    trusted = "10.0.0.0/8, 192.0.2.10"
    assert ip(settings, trusted, PROXY, "198.51.100.1, 203.0.113.7, 192.0.2.10") == "203.0.113.7"
    # Every hop trusted: the leftmost is the best we know.
    assert ip(settings, trusted, PROXY, "10.1.1.1") == "10.1.1.1"


def test_garbage_in_the_header_is_not_an_address(settings):
    assert ip(settings, "10.0.0.0/8", PROXY, "unknown") == PROXY
    assert ip(settings, "10.0.0.0/8", PROXY, "") == PROXY
    assert ip(settings, "10.0.0.0/8", PROXY) == PROXY


def test_a_hop_count_takes_that_entry_from_the_right(settings):
    assert ip(settings, "1", "127.0.0.1", "198.51.100.1, 203.0.113.7") == "203.0.113.7"
    assert ip(settings, "2", "127.0.0.1", "198.51.100.1, 203.0.113.7, 10.0.0.5") == "203.0.113.7"
    # Fewer entries than hops: the request did not come through every proxy.
    assert ip(settings, "2", "203.0.113.9", "198.51.100.1") == "203.0.113.9"
    assert ip(settings, "1", "203.0.113.9") == "203.0.113.9"
    assert ip(settings, "1", "127.0.0.1", "not-an-ip") == "127.0.0.1"


def test_the_setting_is_a_hop_count_or_addresses():
    assert parse("") == Trust()
    assert parse(" 2 ") == Trust(hops=2)
    trust = parse("127.0.0.1, 10.0.0.0/8 ,::1")
    assert [str(n) for n in trust.networks] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    with pytest.raises(ImproperlyConfigured, match="PORCHLIGHT_TRUSTED_PROXIES"):
        parse("10.0.0.0/8, nginx")
