"""Staff turn a tracking link off from the console: role-checked, agency-scoped, audited."""

from __future__ import annotations

from porchlight.audit.models import AuditEntry
from porchlight.calls.models import TrackLink
from porchlight.calls.tests.track_calls import INCIDENT, apply, path_of, received
from porchlight.calls.track import link_for
from standins.builders import make_agency

FIND = "/console/track-links/"


def revoke_url(call):
    return f"/console/track-links/{call.pk}/revoke/"


def test_a_supervisor_finds_the_call_and_turns_its_link_off(staff_client, agency):
    call = apply(agency, received())
    path = path_of(link_for(call))
    client = staff_client("supervisor")
    page = client.get(FIND, {"incident": INCIDENT}).content.decode()
    assert "Working" in page and revoke_url(call) in page
    # The console shows the link's state, never the link itself.
    assert path not in page

    r = client.post(revoke_url(call))
    assert r.status_code == 302 and r["Location"] == f"{FIND}?incident={INCIDENT}"
    link = TrackLink.objects.get()
    assert link.revoked_at is not None and link.revoked_by == client.login_info.user
    entry = AuditEntry.objects.get(action="track_link.revoke")
    assert entry.actor == client.login_info.user and entry.agency == agency
    assert entry.target_id == str(link.pk)
    assert entry.changes == {"call": call.pk, "incident_number": INCIDENT}

    page = client.get(r["Location"]).content.decode()
    assert "Turned off" in page and "The tracking link of incident" in page
    assert revoke_url(call) not in page
    # The caller's page is gone, and no later text brings it back.
    assert client.get(path).status_code == 404
    assert link_for(call) is None


def test_revoking_twice_changes_and_audits_once(staff_client, agency):
    call = apply(agency, received())
    link_for(call)
    client = staff_client("admin")
    client.post(revoke_url(call))
    client.post(revoke_url(call))
    assert AuditEntry.objects.filter(action="track_link.revoke").count() == 1


def test_read_only_staff_may_look_but_not_revoke(staff_client, agency):
    call = apply(agency, received())
    link_for(call)
    client = staff_client("readonly")
    page = client.get(FIND, {"incident": INCIDENT}).content.decode()
    assert "Working" in page and revoke_url(call) not in page
    assert client.post(revoke_url(call)).status_code == 403
    assert TrackLink.objects.get().revoked_at is None
    assert not AuditEntry.objects.filter(action="track_link.revoke").exists()


def test_staff_of_another_agency_see_nothing_and_revoke_nothing(staff_client, agency):
    call = apply(agency, received())
    link_for(call)
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    client = staff_client("admin", for_agency=other)
    page = client.get(FIND, {"incident": INCIDENT}).content.decode()
    assert "No call with incident number" in page
    assert client.post(revoke_url(call)).status_code == 404
    assert TrackLink.objects.get().revoked_at is None


def test_a_call_without_a_link_says_so_and_cannot_be_revoked(staff_client, agency):
    # No caller to text, so no link was made with the plan.
    call = apply(agency, received(caller=None))
    client = staff_client("admin")
    page = client.get(FIND, {"incident": INCIDENT}).content.decode()
    assert "No link has been sent for this call." in page
    assert client.post(revoke_url(call)).status_code == 404


def test_an_excluded_call_shows_as_not_shown(staff_client, agency):
    call = apply(agency, received())
    link_for(call)
    type(call).objects.filter(pk=call.pk).update(juvenile=True)
    page = staff_client("admin").get(FIND, {"incident": INCIDENT}).content.decode()
    assert "Not shown: the call is excluded from public pages" in page


def test_signed_out_visitors_are_sent_to_sign_in(client, agency):
    call = apply(agency, received())
    link_for(call)
    r = client.post(revoke_url(call))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert TrackLink.objects.get().revoked_at is None
