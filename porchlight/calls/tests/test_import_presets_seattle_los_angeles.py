"""The seattle and los-angeles presets read their published layouts (sample rows invented),
exactly as the worked mapping files beside the samples do."""

import json
from pathlib import Path

import pytest

from porchlight.calls.importing import run_import
from porchlight.calls.importing.presets import LOS_ANGELES, SEATTLE
from porchlight.calls.models import Call

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.mark.parametrize(
    "preset, data, sample",
    [
        (SEATTLE, "seattle-call-data.mapping.json", "seattle"),
        (LOS_ANGELES, "lapd-calls-for-service.mapping.json", "los-angeles"),
    ],
)
def test_the_mapping_files_in_the_docs_are_the_presets(preset, data, sample):
    on_disk = json.loads((SAMPLES / data).read_text())
    # The walk-through's file may name fewer extras; everything else is the preset.
    assert {k: v for k, v in on_disk.items() if k != "extra"} == {
        k: v for k, v in preset.items() if k != "extra"
    }


@pytest.mark.django_db
def test_seattle_preset(agency):
    result = run_import(SAMPLES / "seattle-call-data.csv", agency, "seattle")
    assert result.finished and result.rows == 6
    call = Call.objects.get(incident_number="2023000404104")
    assert call.status == "cancelled" and call.cleared_time_unknown
    assert call.call_type.code == "--SUICIDE - ATTEMPT OR THREAT" and call.call_type.sensitive
    assert (
        Call.objects.get(incident_number="2023000404101")
        .events.first()
        .payload["export"]["call_source"]
        == "911"
    )


@pytest.mark.django_db
def test_los_angeles_preset(agency):
    result = run_import(SAMPLES / "lapd-calls-for-service.csv", agency, "los-angeles")
    assert result.finished and result.rows == 4
    assert Call.objects.get(incident_number="160311000621").dispatched_at.isoformat() == (
        "2016-03-11T12:57:44+00:00"
    )
    assert sorted(b.line for b in result.bad_rows) == [4, 5]
