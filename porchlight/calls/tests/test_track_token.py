"""A tracking link's token is unguessable, and the database never holds it in the clear."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import connection

from porchlight.calls.models import TrackLink
from porchlight.calls.tests.track_calls import apply, received, token_of
from porchlight.calls.track import link_for
from porchlight.notify import pii


def test_the_link_is_the_site_url_and_a_long_random_token(agency):
    url = link_for(apply(agency, received()))
    assert url is not None and url.startswith(settings.SITE_URL + "/t/")
    token = token_of(url)
    # 12 random bytes, URL-safe base64: 16 characters, 96 bits.
    assert len(token) == 16 and set(token) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )


def test_tokens_differ_from_call_to_call(agency):
    tokens = {
        token_of(link_for(apply(agency, received(n, incident=f"26-0000{n:02d}"))))
        for n in range(1, 21)
    }
    assert len(tokens) == 20


def test_only_a_hash_and_an_encrypted_copy_are_stored(agency):
    url = link_for(apply(agency, received()))
    token = token_of(url)
    link = TrackLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert pii.decrypt(link.token_enc) == token
    # The raw token appears nowhere in the table's stored bytes, whatever the engine.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {TrackLink._meta.db_table}")
        rows = cursor.fetchall()
    stored = b"".join(
        bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode() for v in rows[0]
    )
    assert token.encode() not in stored
    assert url.encode() not in stored
