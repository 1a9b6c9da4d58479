"""The console: role checks, the create form's limits, approval by another supervisor, and
agency scoping."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from porchlight.agencies.models import Role
from porchlight.assist import limits
from porchlight.assist.models import AssistanceRequest, Status
from porchlight.geo import h3index
from porchlight.geo.models import Address
from porchlight.notify.models import Outbox, Trigger

from .conftest import LAT, LON


def form_data(case, **changes):
    now = timezone.localtime()
    data = {
        "case_number": case.number, "incident_type": "Burglary",
        "description": "Footage of the street between 2 and 4 AM.",
        "lat": LAT, "lon": LON, "radius_m": 300, "neighborhood": "Downtown",
        "window_start": (now - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
        "window_end": (now - timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        "expires_days": 7, "contact_name": "Det. Ortiz", "contact_phone": "661-555-0199",
    }  # fmt: skip
    data.update(changes)
    return data


def test_create_submit_approve_through_the_console(signed_in, agency, case, neighbor):
    neighbor(LAT, LON)
    detective = signed_in("dana", Role.DETECTIVE)
    response = detective.post("/console/assist/new/", form_data(case))
    assert response.status_code == 302, response.content.decode()[:2000]
    item = AssistanceRequest.objects.get()
    assert detective.post(f"/console/assist/{item.pk}/submit").status_code == 302
    # The detective cannot approve.
    assert detective.post(f"/console/assist/{item.pk}/approve").status_code == 403
    assert not Outbox.objects.filter(trigger=Trigger.ASSIST).exists()
    boss = signed_in("boss", Role.SUPERVISOR)
    page = boss.get(f"/console/assist/{item.pk}/").content.decode()
    assert "Approve and send" in page
    assert boss.post(f"/console/assist/{item.pk}/approve").status_code == 302
    # A second click (or a second supervisor) finds it sent already: nothing twice.
    assert boss.post(f"/console/assist/{item.pk}/approve").status_code == 409
    item.refresh_from_db()
    assert item.status == Status.SENT and item.residents_notified == 1
    assert Outbox.objects.filter(trigger=Trigger.ASSIST).count() == 1


def test_the_form_refuses_past_the_limits_with_reasons(signed_in, case):
    detective = signed_in("dana", Role.DETECTIVE)
    too_wide = detective.post("/console/assist/new/", form_data(case, radius_m=900))
    assert too_wide.status_code == 400 and "805" in too_wide.content.decode()
    now = timezone.localtime()
    too_long = detective.post("/console/assist/new/", form_data(
        case, window_start=(now - timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")))  # fmt: skip
    assert too_long.status_code == 400 and "12 hours" in too_long.content.decode()
    unknown = detective.post("/console/assist/new/", form_data(case, case_number="X-1"))
    assert unknown.status_code == 400 and "No case with this number" in unknown.content.decode()
    too_late = detective.post("/console/assist/new/", form_data(case, expires_days=31))
    assert too_late.status_code == 400
    assert not AssistanceRequest.objects.exists()


def test_read_only_and_records_staff_are_kept_out(signed_in):
    for name, role in (("ro", Role.READ_ONLY), ("rec", Role.RECORDS)):
        client = signed_in(name, role)
        assert client.get("/console/assist/").status_code == 403
        assert client.get("/console/assist/new/").status_code == 403


def test_another_agencys_staff_see_nothing(signed_in, other_agency, draft):
    item = draft()
    outsider = signed_in("kern", Role.SUPERVISOR, of=other_agency)
    assert outsider.get(f"/console/assist/{item.pk}/").status_code == 404
    assert outsider.post(f"/console/assist/{item.pk}/approve").status_code == 404
    assert "Burglary" not in outsider.get("/console/assist/").content.decode()


def test_the_area_map_needs_an_agency_area_and_carries_the_limit(signed_in, agency):
    detective = signed_in("dana", Role.DETECTIVE)
    # No addresses, nothing published: nowhere to centre, so the fields alone (no map).
    bare = detective.get("/console/assist/new/").content.decode()
    assert 'id="area-map"' not in bare and 'id="id_lat"' in bare
    Address.objects.create(
        agency=agency, number="1600", number_int=1600, street="TRUXTUN AVE",
        street_name="TRUXTUN", label="1600 Truxtun Ave", lat=LAT, lon=LON,
        h3=h3index.cell(LAT, LON),
    )  # fmt: skip
    page = detective.get("/console/assist/new/").content.decode()
    most = limits.limits_for(agency).max_radius_m
    assert 'id="area-map"' in page and f'data-max="{most}"' in page
    assert f'data-radius="{min(250, most)}"' in page and 'id="id_radius_m"' in page
