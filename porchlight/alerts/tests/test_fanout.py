"""Who an alert reaches, how (at once, or in the digest), and the outbox rows it writes."""

from datetime import datetime, time, timedelta

import time_machine
from django.utils import timezone

from porchlight.alerts import fanout, publish, reach
from porchlight.alerts.models import Delivery, How, Mode, Preference, Severity
from porchlight.community.tests.factories import north_of
from porchlight.notify.models import DeliverySettings, Outbox, State, Trigger

from .conftest import LAT, LON, STEP

INSIDE_1A = (LAT + STEP / 2, LON + STEP / 2)


def prefer(place, **fields):
    Preference.objects.update_or_create(place=place, defaults=fields)
    reach.ensure_email(place.resident)


def rows_for(alert):
    return Outbox.objects.filter(dedupe_key__contains=f":alert:{alert.pk}:")


def test_places_inside_the_area_or_whose_radius_reaches_it_are_told(agency, grid, neighbor):
    inside = neighbor(*INSIDE_1A)
    # 0.4 mi south of beat 1A's edge: a 0.5 mi radius reaches in, a 0.25 one does not.
    reaching = neighbor(north_of(LAT, -0.4), LON + STEP / 2, miles=0.5)
    short = neighbor(north_of(LAT, -0.4), LON + STEP / 2, miles=0.25)
    far = neighbor(LAT + 1, LON)
    for place in (inside, reaching, short, far):
        prefer(place, mode=Mode.INSTANT)
    alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title="T", body="B")
    assert fanout.fan_out(alert) == 2
    told = set(rows_for(alert).values_list("contact_id", flat=True))
    assert told == {place.resident.alert_contacts.get().contact_id for place in (inside, reaching)}
    alert.refresh_from_db()
    assert alert.recipients == 2 and alert.fanned_out_at is not None


def test_rows_carry_the_alert_and_follow_the_agencys_rules(agency, grid, neighbor):
    place = neighbor(*INSIDE_1A, language="es")
    prefer(place, mode=Mode.INSTANT)
    alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title="Corte de agua",
                            body="Hasta las 6.")  # fmt: skip
    fanout.fan_out(alert)
    row = rows_for(alert).get()
    assert row.trigger == Trigger.ALERT and row.channel == "email" and row.language == "es"
    assert row.context["alert_title"] == "Corte de agua"
    assert row.context["alert_url"].endswith(f"/alerts/a/{alert.share_token}/")
    assert row.rule.trigger == Trigger.ALERT and row.rule.templates.filter(language="es").exists()


def test_publishing_twice_plans_nothing_twice(agency, grid, neighbor):
    prefer(neighbor(*INSIDE_1A), mode=Mode.INSTANT)
    alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title="T", body="B")
    assert fanout.fan_out(alert) == 1
    assert fanout.fan_out(alert) == 0
    assert rows_for(alert).count() == 1 and Delivery.objects.count() == 1


def test_a_resident_with_two_places_in_the_area_is_told_once_on_every_channel(
    agency, grid, neighbor
):
    home = neighbor(*INSIDE_1A)
    from porchlight.community.tests.factories import make_place

    work = make_place(home.resident, LAT + STEP * 0.2, LON + STEP * 0.2, name="Work")
    prefer(home, mode=Mode.INSTANT, email=True, sms=False)
    prefer(work, mode=Mode.DIGEST, email=False, sms=True)
    reach.set_phone(home.resident, "661-555-0100")
    alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title="T", body="B")
    fanout.fan_out(alert)
    assert sorted(rows_for(alert).values_list("channel", flat=True)) == ["email", "sms"]
    assert Delivery.objects.get().how == How.INSTANT


def test_digest_mode_waits_for_the_digest_but_urgent_goes_at_once(agency, grid, neighbor):
    prefer(neighbor(*INSIDE_1A), mode=Mode.DIGEST)
    routine = publish.publish(agency, publish.beats_area([grid["1A"]]), title="R", body="B")
    urgent = publish.publish(agency, publish.beats_area([grid["1A"]]), title="U", body="B",
                             severity=Severity.URGENT)  # fmt: skip
    assert fanout.fan_out(routine) == 0
    assert fanout.fan_out(urgent) == 1
    assert Delivery.objects.get(alert=routine).how == How.DIGEST
    assert rows_for(urgent).get().trigger == Trigger.ALERT_URGENT


def test_past_the_daily_cap_alerts_wait_for_the_digest_and_urgent_ones_still_go(
    agency, grid, neighbor
):
    prefer(neighbor(*INSIDE_1A), mode=Mode.INSTANT, daily_cap=2)
    sent = []
    for n in range(3):
        alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title=f"A{n}", body=".")
        sent.append(fanout.fan_out(alert))
    urgent = publish.publish(agency, publish.beats_area([grid["1A"]]), title="U", body=".",
                             severity=Severity.URGENT)  # fmt: skip
    assert sent == [1, 1, 0] and fanout.fan_out(urgent) == 1
    assert list(Delivery.objects.order_by("pk").values_list("how", flat=True)) == [
        How.INSTANT, How.INSTANT, How.DIGEST, How.INSTANT,
    ]  # fmt: skip


def test_urgent_alerts_pass_quiet_hours_and_the_others_wait_for_morning(agency, grid, neighbor):
    DeliverySettings.objects.update_or_create(
        agency=agency, defaults={"quiet_start": time(21), "quiet_end": time(8)}
    )
    prefer(neighbor(*INSIDE_1A), mode=Mode.INSTANT)
    night = datetime(2026, 12, 4, 23, 30, tzinfo=agency.tz)
    with time_machine.travel(night, tick=False):
        routine = publish.publish(agency, publish.beats_area([grid["1A"]]), title="R", body=".")
        urgent = publish.publish(agency, publish.beats_area([grid["1A"]]), title="U", body=".",
                                 severity=Severity.URGENT)  # fmt: skip
        fanout.fan_out(routine)
        fanout.fan_out(urgent)
    waiting, now = rows_for(routine).get(), rows_for(urgent).get()
    assert waiting.state == State.SCHEDULED
    assert waiting.due_at == datetime(2026, 12, 5, 8, 0, tzinfo=agency.tz)
    assert now.state == State.PLANNED and now.due_at == night


def test_a_place_without_preferences_gets_the_daily_digest_by_email(agency, grid, neighbor):
    place = neighbor(*INSIDE_1A)
    reach.ensure_email(place.resident)
    alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title="R", body=".")
    assert fanout.fan_out(alert) == 0
    delivery = Delivery.objects.get()
    assert (delivery.how, delivery.channels) == (How.DIGEST, "email")


def test_withdrawing_an_alert_drops_what_has_not_gone(agency, grid, neighbor):
    prefer(neighbor(*INSIDE_1A), mode=Mode.INSTANT)
    prefer(neighbor(INSIDE_1A[0] + 0.001, INSIDE_1A[1]), mode=Mode.DIGEST)
    alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title="R", body=".",
                            expires_at=timezone.now() + timedelta(hours=2))  # fmt: skip
    fanout.fan_out(alert)
    row = rows_for(alert).get()
    assert row.expires_at <= alert.expires_at  # never sent after the alert ends
    publish.cancel(alert)
    row.refresh_from_db()
    assert (row.state, row.reason) == (State.SUPPRESSED, fanout.WITHDRAWN)
    assert not Delivery.objects.filter(how=How.DIGEST).exists()


def test_a_large_fan_out_joins_by_hashing_and_writes_the_same_rows(
    agency, grid, neighbor, monkeypatch
):
    """From HASH_JOINS_FROM instant deliveries PostgreSQL is told to hash-join the outbox
    rows' INSERT … SELECT (fanout.plan_from_deliveries): the rows are the same."""
    monkeypatch.setattr(fanout, "HASH_JOINS_FROM", 0)
    test_a_resident_with_two_places_in_the_area_is_told_once_on_every_channel(
        agency, grid, neighbor
    )
