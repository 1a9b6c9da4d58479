"""Publication: after the delay, once, in public categories, never a sensitive type."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from porchlight.calls.models import CallType, Status
from porchlight.publicmap import jobs, publish
from porchlight.publicmap.models import CategoryMapping, Kind, MapSettings, PublishedIncident
from porchlight.publicmap.tests.builders import make_call

pytestmark = pytest.mark.django_db


def test_a_call_is_published_after_the_default_hour_and_not_before(agency):
    now = timezone.now()
    old = make_call(agency, ago=timedelta(minutes=61), now=now)
    make_call(agency, ago=timedelta(minutes=59), now=now)
    result = publish.run(agency, now)
    assert result.published == 1
    row = PublishedIncident.objects.get()
    assert (row.key, row.call_id, row.kind, row.source) == (str(old.pk), old.pk, Kind.CALL, "cad")
    assert row.mapping.category == "burglary"  # suggested from "Residential burglary report"
    # Later, the second call's hour has passed too.
    assert publish.run(agency, now + timedelta(minutes=2)).published == 1


def test_the_delay_is_the_agencys_own(agency):
    now = timezone.now()
    MapSettings.objects.create(agency=agency, delay_minutes=240)
    make_call(agency, ago=timedelta(hours=3), now=now)
    assert publish.run(agency, now).published == 0
    make_call(agency, ago=timedelta(hours=5), now=now)
    assert publish.run(agency, now).published == 1


def test_publishing_twice_publishes_once(agency):
    make_call(agency)
    assert publish.run(agency).published == 1
    assert publish.run(agency).published == 0
    assert PublishedIncident.objects.count() == 1


@pytest.mark.parametrize("code", ["273.5", "261", "187", "5150S", "273A", "245IP"])
def test_sensitive_types_are_never_published(agency, code):
    make_call(agency, code)
    result = publish.run(agency)
    assert result.published == 0
    assert result.withheld == 1
    assert not PublishedIncident.objects.exists()
    assert CategoryMapping.objects.get(agency=agency, code=code).sensitive


def test_a_type_named_sensitive_is_left_out_even_if_its_flag_is_off(agency):
    CallType.objects.create(agency=agency, code="DD", description="Domestic disturbance")
    make_call(agency, "DD")
    assert publish.run(agency).published == 0
    assert CategoryMapping.objects.get(code="DD").sensitive


def test_a_type_that_becomes_sensitive_is_taken_off_the_map(agency):
    make_call(agency, "415")
    publish.run(agency)
    assert PublishedIncident.objects.count() == 1
    CallType.objects.filter(agency=agency, code="415").update(sensitive=True)
    result = publish.run(agency)
    assert result.unpublished == 1
    assert not PublishedIncident.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [{"status": Status.CANCELLED}, {"juvenile": True}, {"needs_mapping": True}],
    ids=["cancelled", "juvenile", "unmapped"],
)
def test_cancelled_juvenile_and_unmapped_calls_are_left_out(agency, fields):
    make_call(agency, **fields)
    assert publish.run(agency).published == 0


def test_a_new_code_waits_uncategorised_until_staff_choose(agency):
    make_call(agency, "XYZ")  # created by the builder with no description: no suggestion
    publish.run(agency)
    mapping = CategoryMapping.objects.get(code="XYZ")
    assert mapping.category == "" and not mapping.shown
    # Its incident is kept, hidden: categorising the code shows it without another run.
    assert PublishedIncident.objects.filter(mapping=mapping).count() == 1


def test_a_call_older_than_the_window_needs_a_backfill(agency):
    make_call(agency, ago=timedelta(days=5))
    assert publish.run(agency).published == 0
    call_command("publishmap", "--days", "7")
    assert PublishedIncident.objects.count() == 1


def test_the_command_refuses_an_unknown_agency(agency):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no agency"):
        call_command("publishmap", "--agency", "nowhere")


def test_one_worker_at_a_time_publishes(agency):
    make_call(agency)
    assert jobs.publish_due("worker-a") is not None
    assert jobs.publish_due("worker-b") is None  # a holds the lease
    assert jobs.publish_due("worker-a") is not None  # a renews it
    later = timezone.now() + timedelta(minutes=10)
    assert jobs.publish_due("worker-b", later) is not None  # a's lease ran out


def test_the_worker_command_publishes_on_its_once_pass(agency, settings):
    settings.DEV_INBOX = True
    make_call(agency)
    call_command("worker", "--once")
    assert PublishedIncident.objects.count() == 1


@pytest.mark.parametrize(
    ("code", "description", "category"),
    [
        ("459V", "Vehicle burglary report", "vehicle"),
        ("459R", "Residential burglary report", "burglary"),
        ("10851", "Stolen vehicle", "vehicle"),
        ("SUSP", "Suspicious person or vehicle", "suspicious"),
        ("488", "Petty theft", "theft"),
        ("594", "Vandalism", "vandalism"),
        ("415N", "Loud noise / party", "disturbance"),
        ("TC", "Traffic collision, no injuries", "traffic"),
        ("WELF", "Welfare check", ""),
    ],
)
def test_new_codes_start_with_a_suggested_category(code, description, category):
    assert publish.suggest_category(code, description) == category
