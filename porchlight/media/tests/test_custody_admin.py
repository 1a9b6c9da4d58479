"""Custody entries in the admin: platform operators read them; nobody adds, changes or deletes
one; agency staff see none (entries carry no agency: they read custody where the file is)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from porchlight.agencies.models import Role
from porchlight.agencies.tests.conftest import make_user, sign_in
from porchlight.media import custody
from porchlight.media.models import CustodyEntry
from porchlight.media.storage import keep
from porchlight.media.uploads import accept_image
from standins.media import jpeg_with_gps, upload


def client_for(username: str, agency: Any, *, superuser: bool = False) -> Client:
    _user, secret = make_user(
        username, agency=None if superuser else agency, role=Role.ADMIN, superuser=superuser
    )
    client = Client()
    assert sign_in(client, username, secret).status_code == 302
    return client


def test_custody_is_read_only_in_the_admin(agency: Any, media_storage: Any) -> None:
    media = keep(accept_image(upload("x.jpg", jpeg_with_gps())))
    entry = custody.record(media, CustodyEntry.Action.RECEIVED, actor="uploader (test)")
    base = "/admin/media/custodyentry/"
    root = client_for("root", agency, superuser=True)
    listing = root.get(base)
    assert listing.status_code == 200 and b"uploader (test)" in listing.content
    assert root.get(f"{base}{entry.pk}/change/").status_code == 200
    assert root.get(f"{base}add/").status_code == 403
    assert root.post(f"{base}{entry.pk}/change/", {"note": "edited"}).status_code == 403
    assert root.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.note == ""

    staff = client_for("ada", agency)
    assert staff.get(f"{base}{entry.pk}/change/").status_code in (302, 403, 404)
    assert staff.get(base).status_code == 403
