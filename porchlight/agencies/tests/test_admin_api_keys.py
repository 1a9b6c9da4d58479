"""API keys from the admin: shown once, stored as SHA-256 only, revocable (then 401)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import orjson
from django.test import Client

from porchlight.agencies.models import Agency, ApiKey, Role
from standins.builders import cad_event


def create_key(client: Client, agency: Agency, **extra: object) -> tuple[ApiKey, str, Client]:
    response = client.post(
        "/admin/agencies/apikey/add/", {"agency": agency.pk, "source": "cad", **extra}
    )
    assert response.status_code == 302, response.content[:800]
    key = ApiKey.objects.get(agency=agency, source="cad")
    assert response["Location"] == f"/admin/agencies/apikey/{key.pk}/secret/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    raw = re.search(rb'id="shown-once-secret"[^>]*value="(pl_[A-Za-z0-9_-]+)"', page.content)
    assert raw, page.content[:2000]
    return key, raw.group(1).decode(), client


def post_events(raw: str, slug: str) -> int:
    return (
        Client()
        .post(
            f"/api/v1/agencies/{slug}/cad/events",
            orjson.dumps({"events": [cad_event()]}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        .status_code
    )


def test_key_is_shown_once_and_stored_hashed(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    client = signed_in("ada", Role.ADMIN)
    key, raw, _ = create_key(client, agency)
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert key.prefix == raw[:10] and raw not in (key.key_hash, key.prefix)
    assert key.created_by.username == "ada"
    # Shown once: the second visit has nothing to show.
    again = client.get(f"/admin/agencies/apikey/{key.pk}/secret/")
    assert again.status_code == 410
    assert raw.encode() not in again.content
    assert raw.encode() not in client.get(f"/admin/agencies/apikey/{key.pk}/change/").content
    assert post_events(raw, agency.slug) == 200


def test_revoked_key_gets_401(agency: Agency, signed_in: Callable[..., Client]) -> None:
    client = signed_in("ada", Role.ADMIN)
    key, raw, _ = create_key(client, agency)
    assert post_events(raw, agency.slug) == 200
    response = client.post(
        "/admin/agencies/apikey/", {"action": "revoke", "_selected_action": [key.pk]}
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert post_events(raw, agency.slug) == 401


def test_only_a_superuser_sets_also_covers(
    agency: Agency, other_agency: Agency, signed_in: Callable[..., Client]
) -> None:
    client = signed_in("ada", Role.ADMIN)
    form = client.get("/admin/agencies/apikey/add/").context["adminform"].form
    assert "also_covers" not in form.fields
    key, raw, _ = create_key(client, agency, also_covers=[other_agency.pk])
    assert not key.also_covers.exists()
    assert post_events(raw, other_agency.slug) == 403

    key.delete()
    root = signed_in("root", superuser=True)
    key, raw, _ = create_key(root, agency, also_covers=[other_agency.pk])
    assert list(key.also_covers.all()) == [other_agency]
    assert post_events(raw, other_agency.slug) == 200


def test_keys_are_revoked_not_deleted(agency: Agency, signed_in: Callable[..., Client]) -> None:
    client = signed_in("ada", Role.ADMIN)
    key, _, _ = create_key(client, agency)
    assert (
        client.post(f"/admin/agencies/apikey/{key.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert ApiKey.objects.filter(pk=key.pk).exists()


def test_viewers_cannot_create_or_revoke(agency: Agency, signed_in: Callable[..., Client]) -> None:
    from standins.builders import make_key

    key, raw = make_key(agency)
    client = signed_in("sup", Role.SUPERVISOR)
    assert client.get("/admin/agencies/apikey/add/").status_code == 403
    client.post("/admin/agencies/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is None
    assert post_events(raw, agency.slug) == 200
