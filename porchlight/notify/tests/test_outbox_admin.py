"""Staff can see why a caller was or was not texted, for their own agency only."""

import pytest

from porchlight.calls.intake import Feed, ingest
from porchlight.notify.models import Outbox
from porchlight.notify.tests.conftest import received
from standins.browser import client_login, make_staff
from standins.builders import make_agency


def admin_login(client, agency, role):
    login = make_staff(agency, role=role)
    login.user.is_staff = True  # the Django admin's own gate
    login.user.save()
    client_login(client, login)


def other_agency_with_a_text():
    """Kern County, with a call of its own (incident 26-777777) and its first text planned."""
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    feed = Feed(agency=other, source="cad", covered={other.ori: other})
    ingest(feed, [received(incident="26-777777")])
    assert Outbox.objects.filter(agency=other).exists()
    return other


@pytest.mark.django_db
def test_outbox_list_shows_reasons_and_masks_the_number(client, agency, call_in):
    call_in(received(juvenile=True))
    other_agency_with_a_text()
    admin_login(client, agency, "supervisor")
    page = client.get("/admin/notify/outbox/").content.decode()
    assert "A juvenile is involved." in page and "26-000001" in page
    assert "0142" in page and "661-555-0142" not in page and "6615550142" not in page
    # Read-only for everyone.
    row = Outbox.objects.first()
    assert (
        client.post(f"/admin/notify/outbox/{row.pk}/change/", {"state": "planned"}).status_code
        == 403
    )
    assert Outbox.objects.get(pk=row.pk).state == row.state
    # The other agency's rows exist, and this agency's staff do not see them.
    assert "26-777777" not in page


@pytest.mark.django_db
def test_other_agencies_rows_are_not_shown(client, agency, call_in):
    call_in(received())
    other = other_agency_with_a_text()
    admin_login(client, other, "admin")
    page = client.get("/admin/notify/outbox/").content.decode()
    # The list works for this admin (their own row is there), and the other agency's is not.
    assert "26-777777" in page
    assert "26-000001" not in page
