"""Tokens are 16 characters now (96 bits); the 24-character links sent before keep working:
a token is looked up by its hash, whatever its length."""

from __future__ import annotations

import secrets

from porchlight.calls.models import TrackLink
from porchlight.calls.tests.track_calls import apply, path_of, received
from porchlight.calls.track import link_for, token_hash
from porchlight.notify import pii


def test_a_link_sent_before_with_a_long_token_still_opens(agency, client):
    call = apply(agency, received())
    old = secrets.token_urlsafe(18)  # how links were made before: 24 characters
    assert len(old) == 24
    # The call's one link, as it was made before (planning made a new-style one just now).
    TrackLink.objects.filter(call=call).update(
        token_hash=token_hash(old), token_enc=pii.encrypt(old)
    )

    response = client.get(f"/t/{old}")
    assert response.status_code == 200
    assert "26-" in response.content.decode()
    # Later texts about the call use the same, longer, link: it is the call's one link.
    assert link_for(call).endswith(f"/t/{old}")


def test_new_links_are_16_characters_and_open(agency, client):
    url = link_for(apply(agency, received()))
    assert len(path_of(url)) == len("/t/") + 16
    assert client.get(path_of(url)).status_code == 200
    assert client.get(path_of(url)[:-1]).status_code == 404
