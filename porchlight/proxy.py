"""The client's address, read through the reverse proxies an operator trusts.

Behind nginx or Caddy every request's REMOTE_ADDR is the proxy's, so limits keyed on it (sign-in
attempts, track-page guesses) would put every visitor in one bucket: one person guessing links
locks every caller out. The proxy names the client in X-Forwarded-For, but anyone can send that
header, so it is read only as far as the operator's trust goes (PORCHLIGHT_TRUSTED_PROXIES):

- unset: nobody is trusted; the address is REMOTE_ADDR and the header is ignored;
- CIDRs ("127.0.0.1, 10.0.0.0/8"): the header is read only when REMOTE_ADDR is one of them,
  from the right, skipping every address that is itself a trusted proxy; the first one that
  is not is the client. What a client wrote into the header itself sits to the left of what
  the proxies appended, so it is never reached while a real address precedes it.
- a hop count ("1"): exactly that many proxies stand in front, each appending the address it
  saw, so the client is the count-th entry from the right. Only for an app server nobody can
  reach except through those proxies (bound to 127.0.0.1 or a private network).

Every rate limit and the audit log's address use `client_ip()`: django-ratelimit through
RATELIMIT_IP_META_KEY, allauth through the account adapter's get_client_ip, the audit log
through audit.log.client_ip.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Trust:
    hops: int = 0
    networks: tuple[Network, ...] = ()

    def covers(self, address: Address) -> bool:
        return any(address in network for network in self.networks)


def parse(value: str) -> Trust:
    """PORCHLIGHT_TRUSTED_PROXIES: empty, a hop count, or comma-separated addresses and CIDRs."""
    value = value.strip()
    if not value:
        return Trust()
    if value.isdigit():
        return Trust(hops=int(value))
    networks = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"PORCHLIGHT_TRUSTED_PROXIES: {item!r} is neither a hop count nor an address "
                "or CIDR (see docs/operators.md)"
            ) from exc
    return Trust(networks=tuple(networks))


@cache
def _trust(value: str) -> Trust:
    return parse(value)


def _address(text: str) -> Address | None:
    text = text.strip().strip("[]")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A server listening on [::] sees IPv4 peers as ::ffff:a.b.c.d; trust lists name a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest) -> str:
    """The address of the client that made the request, as far as trusted proxies vouch for it."""
    peer = _address(request.META.get("REMOTE_ADDR", "") or "")
    # Normalised (::ffff:a.b.c.d is a.b.c.d): the limits mask IPv6 to /64, which would put
    # every IPv4 client of a dual-stack server in one bucket.
    remote = str(peer) if peer is not None else request.META.get("REMOTE_ADDR", "") or ""
    trust = _trust(settings.TRUSTED_PROXIES)
    if not trust.hops and not trust.networks:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [entry.strip() for entry in header.split(",") if entry.strip()]
    if trust.hops:
        if len(chain) < trust.hops:
            # Fewer hops than configured: the request did not come through every proxy.
            return remote
        found = _address(chain[-trust.hops])
        return str(found) if found is not None else remote
    if peer is None or not trust.covers(peer):
        return remote  # not from a trusted proxy: its X-Forwarded-For is the client's own words
    client: Address = peer
    for entry in reversed(chain):
        found = _address(entry)
        if found is None:
            break  # garbage is not an address to trust; keep the last proxy that vouched
        client = found
        if not trust.covers(found):
            break
    return str(client)
