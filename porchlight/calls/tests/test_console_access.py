"""Who may see and do what in the intake console."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from porchlight.agencies.models import StatusCode
from porchlight.calls.models import CallType, Quarantine
from standins.browser import client_login, make_staff, make_superuser, totp_code
from standins.builders import cad_event, make_agency, make_key


@pytest.fixture
def held(send):
    send(cad_event(1, status="DISP"))
    return Quarantine.objects.get()


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login_page(client):
    r = client.get("/console/quarantine/")
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_signed_in_user_who_is_not_staff_is_refused(client):
    get_user_model().objects.create_user("resident", "r@example.org", "a long enough password")
    client.login(username="resident", password="a long enough password")
    assert client.get("/console/").status_code == 403


@pytest.mark.django_db
def test_read_only_staff_may_look_but_not_replay_discard_or_map(staff_client, held, agency):
    client = staff_client("readonly")
    assert client.get("/console/").status_code == 200
    assert client.get("/console/quarantine/").status_code == 200
    page = client.get(f"/console/quarantine/{held.pk}/")
    assert page.status_code == 200
    assert b"Replay this event" not in page.content
    assert client.post(f"/console/quarantine/{held.pk}/replay/").status_code == 403
    assert (
        client.post(f"/console/quarantine/{held.pk}/discard/", {"reason": "x"}).status_code == 403
    )
    assert client.post("/console/quarantine/replay/", {"ids": [held.pk]}).status_code == 403
    assert client.get("/console/status-codes/new/").status_code == 403
    ct = CallType.objects.filter(agency=agency).first()
    assert client.post(f"/console/call-types/{ct.pk}/", {"description": "x"}).status_code == 403
    held.refresh_from_db()
    assert held.state == Quarantine.State.OPEN


@pytest.mark.django_db
def test_supervisors_may_replay_but_not_change_mappings(staff_client, held, agency):
    client = staff_client("supervisor")
    assert (
        client.post(
            "/console/status-codes/new/", {"code": "DISP", "status": "dispatched"}
        ).status_code
        == 403
    )
    assert not StatusCode.objects.exists()
    r = client.post(f"/console/quarantine/{held.pk}/replay/")
    assert r.status_code == 302


@pytest.mark.django_db
def test_another_agencys_items_and_codes_are_not_found(staff_client, held, agency):
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    client = staff_client("admin", for_agency=other)
    assert client.get(f"/console/quarantine/{held.pk}/").status_code == 404
    assert client.post(f"/console/quarantine/{held.pk}/replay/").status_code == 404
    ct = CallType.objects.filter(agency=agency).first()
    assert client.get(f"/console/call-types/{ct.pk}/").status_code == 404
    assert b"evt-000001" not in client.get("/console/quarantine/").content
    # A bulk replay naming another agency's item replays nothing.
    client.post("/console/quarantine/replay/", {"ids": [held.pk]})
    held.refresh_from_db()
    assert held.reason.startswith('unknown status "DISP"')
    assert held.state == Quarantine.State.OPEN


@pytest.mark.django_db
def test_platform_superusers_see_every_agency(client, held):
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    _, raw = make_key(other)
    client.post(
        "/api/v1/agencies/kern/cad/events",
        {"events": [cad_event(7, status="ARV")]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    client_login(client, make_superuser())
    page = client.get("/console/quarantine/").content.decode()
    assert "evt-000001" in page and "evt-000007" in page
    assert "All agencies" in page


@pytest.mark.django_db
def test_state_changes_are_post_only(staff_client, held):
    client = staff_client("admin")
    assert client.get(f"/console/quarantine/{held.pk}/replay/").status_code == 405
    assert client.get(f"/console/quarantine/{held.pk}/discard/").status_code == 405
    assert client.get("/console/quarantine/replay/").status_code == 405


@pytest.mark.django_db
def test_replay_needs_the_csrf_token(held, agency):
    strict = Client(enforce_csrf_checks=True)
    login = make_staff(agency, role="admin")
    # The login forms themselves need the token, so fetch it the way a browser would.
    strict.get("/accounts/login/")
    token = strict.cookies["csrftoken"].value
    strict.post(
        "/accounts/login/",
        {"login": "sam", "password": login.password, "csrfmiddlewaretoken": token},
    )
    strict.post(
        "/accounts/2fa/authenticate/",
        {"code": totp_code(login.secret), "csrfmiddlewaretoken": token},
    )
    assert strict.get("/console/").status_code == 200
    assert strict.post(f"/console/quarantine/{held.pk}/replay/").status_code == 403
