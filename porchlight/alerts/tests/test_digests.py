"""The daily digest: run by the worker under a lease, at the agency's digest hour, once a day."""

from datetime import datetime, timedelta

from porchlight.alerts import digests, fanout, publish, reach
from porchlight.alerts.models import Delivery, Mode, Preference
from porchlight.notify.models import Lease, Outbox, Trigger
from porchlight.notify.worker import Worker

from .conftest import LAT, LON, STEP


def waiting_digest(agency, grid, neighbor, at):
    place = neighbor(LAT + STEP / 2, LON + STEP / 2, language="es")
    Preference.objects.create(place=place, mode=Mode.DIGEST, email=True)
    reach.ensure_email(place.resident)
    import time_machine

    with time_machine.travel(at, tick=False):
        for title in ("One", "Two"):
            fanout.fan_out(publish.publish(agency, publish.beats_area([grid["1A"]]), title=title,
                                           body="."))  # fmt: skip
    return place


def test_the_digest_waits_for_the_hour_then_goes_once(agency, grid, neighbor, settings):
    settings.ALERT_DIGEST_HOUR = 7
    evening = datetime(2026, 12, 3, 18, 0, tzinfo=agency.tz)
    waiting_digest(agency, grid, neighbor, evening)
    assert digests.run("w1", datetime(2026, 12, 4, 6, 59, tzinfo=agency.tz)) == 0
    morning = datetime(2026, 12, 4, 7, 0, tzinfo=agency.tz)
    assert digests.run("w1", morning) == 1
    row = Outbox.objects.get(trigger=Trigger.DIGEST)
    assert row.channel == "email" and row.language == "es"
    assert row.context["alert_url"].endswith("/alerts/bakersfield/")
    assert not Delivery.objects.filter(digested_at__isnull=True).exists()
    # Later the same day: nothing more to send, and no second digest.
    assert digests.run("w1", morning + timedelta(hours=1)) == 0
    assert Outbox.objects.filter(trigger=Trigger.DIGEST).count() == 1


def test_an_alert_after_the_hour_waits_for_tomorrows_digest(agency, grid, neighbor, settings):
    settings.ALERT_DIGEST_HOUR = 7
    waiting_digest(agency, grid, neighbor, datetime(2026, 12, 4, 9, 0, tzinfo=agency.tz))
    assert digests.run("w1", datetime(2026, 12, 4, 10, 0, tzinfo=agency.tz)) == 0
    assert digests.run("w1", datetime(2026, 12, 5, 7, 1, tzinfo=agency.tz)) == 1


def test_only_the_lease_holder_sends(agency, grid, neighbor, settings):
    settings.ALERT_DIGEST_HOUR = 7
    waiting_digest(agency, grid, neighbor, datetime(2026, 12, 3, 18, 0, tzinfo=agency.tz))
    morning = datetime(2026, 12, 4, 7, 5, tzinfo=agency.tz)
    Lease.objects.create(name=digests.LEASE, holder="w2", expires_at=morning + timedelta(minutes=1))
    assert digests.run("w1", morning) == 0
    assert digests.run("w1", morning + timedelta(minutes=2)) == 1  # w2's lease ran out


def test_the_worker_runs_the_digest_as_a_periodic_job(agency, grid, neighbor, settings):
    settings.ALERT_DIGEST_HOUR = 7
    waiting_digest(agency, grid, neighbor, datetime(2026, 12, 3, 18, 0, tzinfo=agency.tz))
    worker = Worker({}, name="w1", threads=1)
    worker.periodic(datetime(2026, 12, 4, 7, 0, tzinfo=agency.tz))
    worker._pool.shutdown()
    assert Outbox.objects.filter(trigger=Trigger.DIGEST).count() == 1
