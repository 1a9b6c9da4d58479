import json

import pytest
from django.core.management import CommandError, call_command

from porchlight.alerts import beats
from porchlight.alerts.models import Beat
from porchlight.audit.models import AuditEntry

from .conftest import LAT, LON, STEP, beat_file, square


def test_a_feature_collection_becomes_beats_with_their_boxes(agency):
    result = beats.import_geojson(agency, beat_file(), code_property="beat")
    assert sorted(result.added) == ["1A", "1B", "2A", "2B"] and not result.skipped
    one = Beat.objects.get(agency=agency, code="1A")
    assert one.name == "Beat 1A"  # the property is found whatever its case (BEAT)
    assert (one.min_lat, one.max_lat) == pytest.approx((LAT, LAT + STEP))
    assert (one.min_lon, one.max_lon) == pytest.approx((LON, LON + STEP))


def test_importing_again_updates_shapes_and_keeps_the_rows(agency):
    beats.import_geojson(agency, beat_file())
    first = Beat.objects.get(agency=agency, code="2B").pk
    moved = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"beat": "2B"}, "geometry": square(LAT + 1, LON)}
    ]}  # fmt: skip
    result = beats.import_geojson(agency, json.dumps(moved).encode())
    assert result.updated == ["2B"] and result.added == []
    beat = Beat.objects.get(agency=agency, code="2B")
    assert beat.pk == first and beat.min_lat == pytest.approx(LAT + 1)


def test_bad_features_are_skipped_with_their_reason_and_the_rest_load(agency):
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"beat": "OK"}, "geometry": square(LAT, LON)},
        {"type": "Feature", "properties": {}, "geometry": square(LAT, LON)},
        {"type": "Feature", "properties": {"beat": "PT"},
         "geometry": {"type": "Point", "coordinates": [LON, LAT]}},
        {"type": "Feature", "properties": {"beat": "FLAT"},
         "geometry": {"type": "Polygon", "coordinates": [[[LON, LAT], [LON, LAT], [LON, LAT], [LON, LAT]]]}},
        {"type": "Feature", "properties": {"beat": "SWAP"}, "geometry": square(LON, LAT)},
        {"type": "Feature", "properties": {"beat": "OK"}, "geometry": square(LAT, LON)},
    ]}  # fmt: skip
    result = beats.import_geojson(agency, json.dumps(data).encode())
    assert result.added == ["OK"]
    reasons = dict(result.skipped)
    assert reasons[2] == "no 'beat' property"
    assert "Polygon or MultiPolygon" in reasons[3]
    assert "no area" in reasons[4]
    assert "longitude, latitude" in reasons[5]
    assert "appears twice" in reasons[6]


@pytest.mark.parametrize("raw", [b"not json", b'{"type": "Feature"}', b"[]"])
def test_a_file_that_is_not_a_feature_collection_is_refused_whole(agency, raw):
    with pytest.raises(beats.BeatFileError):
        beats.import_geojson(agency, raw)
    assert not Beat.objects.exists()


def test_the_command_loads_the_file_and_audits_it(agency, tmp_path, capsys):
    path = tmp_path / "beats.geojson"
    path.write_bytes(beat_file())
    call_command("alerts", "import-beats", str(path), "--code-property", "BEAT")
    assert "4 beats added" in capsys.readouterr().out
    entry = AuditEntry.objects.get(action="alerts.beats_import")
    assert entry.agency == agency and entry.changes["added"] == ["1A", "1B", "2A", "2B"]
    with pytest.raises(CommandError, match="no such file"):
        call_command("alerts", "import-beats", str(tmp_path / "missing.geojson"))


def test_beats_at_a_point(agency, grid):
    inside = beats.beats_at(agency, LAT + STEP * 1.5, LON + STEP * 0.5)
    assert [beat.code for beat in inside] == ["2A"]
    assert beats.beats_at(agency, LAT - 1, LON) == []


def test_the_beat_reasons_are_translated_in_the_active_language(agency):
    from django.utils import translation

    a_point = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"beat": "9Z"}, "geometry": {"type": "Point",
         "coordinates": [-119.0, 35.3]}},
    ]}  # fmt: skip
    with translation.override("es"):
        result = beats.import_geojson(agency, json.dumps(a_point).encode())
        with pytest.raises(beats.BeatFileError, match="no es JSON"):
            beats.import_geojson(agency, b"{nope")
    assert result.skipped == [
        (1, "sector 9Z: una zona debe ser un Polygon o MultiPolygon de GeoJSON")
    ]
