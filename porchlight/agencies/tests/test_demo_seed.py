"""The demo's seeding is idempotent and leaves a usable agency behind."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from porchlight.agencies.models import Agency, ApiKey, Staff, StatusCode
from porchlight.calls.models import Call, Event, Quarantine
from porchlight.demo.seed import seed
from porchlight.demo.staff import TOTP_SECRET, current_code, ensure_staff
from porchlight.notify.models import Hold, Inbound, OptOut, Sender


def counts() -> dict[str, int]:
    return {
        "agencies": Agency.objects.count(),
        "keys": ApiKey.objects.count(),
        "status_codes": StatusCode.objects.count(),
        "calls": Call.objects.count(),
        "events": Event.objects.count(),
        "quarantine": Quarantine.objects.count(),
        "staff": Staff.objects.count(),
        "authenticators": Authenticator.objects.count(),
        "senders": Sender.objects.count(),
        "inbound": Inbound.objects.count(),
        "opt_outs": OptOut.objects.count(),
        "holds": Hold.objects.count(),
    }


@pytest.mark.django_db
def test_seeding_twice_changes_nothing(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = seed(history_days=1)
    login = ensure_staff(first.agency)
    before = counts()
    second = seed(history_days=1)
    ensure_staff(second.agency)
    assert counts() == before
    assert second.key == first.key
    assert second.next_incident == first.next_incident

    agency = first.agency
    assert (agency.slug, agency.ori, agency.time_zone, agency.non_emergency_number) == (
        "bakersfield",
        "CA0150200",
        "America/Los_Angeles",
        "661-327-7111",
    )
    assert agency.languages == ["en", "es"]
    mapped = dict(StatusCode.objects.filter(agency=agency).values_list("code", "status"))
    assert (
        mapped["DISP"] == "dispatched" and mapped["ARV"] == "onscene" and mapped["CLR"] == "cleared"
    )
    assert (
        mapped["ENRT"] == "enroute" and mapped["ONS"] == "onscene" and mapped["CAN"] == "cancelled"
    )

    key = ApiKey.objects.get(agency=agency, source="cad-sim")
    assert set(key.also_covers.values_list("slug", flat=True)) == {"arvin"}

    history = Call.objects.filter(agency=agency, historical=True)
    assert history.count() == first.history_calls > 200
    assert not history.exclude(status__in=["cleared", "cancelled"]).exists()
    assert history.filter(call_type__sensitive=True).exists()
    assert len(set(history.values_list("beat", flat=True))) >= 10

    reasons = list(Quarantine.objects.filter(agency=agency).values_list("reason", flat=True))
    assert len(reasons) == 2
    assert any('unknown status "XFER"' in r for r in reasons)
    assert any("event_time" in r for r in reasons)

    # The Messages and Replies pages have something to show: a number, replies, a STOP, a stop.
    assert Sender.objects.get(agency=agency).rate == 3.0
    kinds = sorted(Inbound.objects.filter(agency=agency).values_list("kind", flat=True))
    assert kinds == ["help", "reply", "stop"]
    reply = Inbound.objects.get(kind="reply")
    # In the caller's language (their latest call's): either way the notice and STOP.
    assert "911" in reply.answer and "STOP" in reply.answer
    # Spanish may go with its accents written plain ("no esta vigilado") when that saves a
    # segment, so the check leaves the accent out.
    assert "not monitored" in reply.answer or "vigilado" in reply.answer
    assert OptOut.objects.filter(sender="+18555550123").count() == 1
    assert Hold.objects.get(agency=agency).call.historical

    staff = Staff.objects.get(user__username=login.username)
    assert staff.agency == agency and staff.role == "admin"
    assert staff.user.check_password(login.password)
    assert login.otpauth_uri.startswith("otpauth://totp/") and TOTP_SECRET in login.otpauth_uri
    totp = TOTP(Authenticator.objects.get(user=staff.user, type="totp"))
    assert totp.validate_code(current_code())
