"""Answers kept for repeat views (publicmap/answers.py), and never one that shows too much.

A repeat of the same question is served with one indexed read (the map's generation); every
change to what the map may show changes the generation in the same transaction (triggers,
migration 0004), so the next request after a withdrawal never shows the withdrawn incident.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.calls.models import CallType
from porchlight.publicmap import answers, publish
from porchlight.publicmap.models import CategoryMapping, Generation, PublishedIncident
from porchlight.publicmap.tests.builders import BLOCK_LAT, make_call, truxtun_block

pytestmark = pytest.mark.django_db
URL = "/api/v1/map/incidents"


@pytest.fixture(autouse=True)
def _no_answers_from_before():
    answers.forget_all()


def _map_page_question() -> dict[str, str]:
    """What the map page asks: a box, a window starting on a whole minute, no end."""
    since = (timezone.now() - timezone.timedelta(days=30)).replace(second=0, microsecond=0)
    return {"bbox": "-119.1,35.3,-118.9,35.45", "since": since.isoformat(), "lang": "en"}


def _get(client, params, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params, headers=headers)
    return response, [q["sql"] for q in queries.captured_queries]


def _ids(response) -> list[int]:
    return [f["id"] for f in response.json()["features"]]


def _served_from_the_answers(sql: list[str]) -> bool:
    return len(sql) == 1 and "publicmap_generation" in sql[0]


def _published(agency, **call) -> PublishedIncident:
    make_call(agency, **call)
    publish.run(agency)
    return PublishedIncident.objects.latest("pk")


def test_a_repeat_view_is_one_indexed_read(client, agency):
    truxtun_block(agency)
    incident = _published(agency)
    question = _map_page_question()
    first, sql = _get(client, question)
    assert _ids(first) == [incident.pk]
    assert len(sql) > 1  # the generation, then the map's own query
    again, sql = _get(client, question)
    assert _served_from_the_answers(sql), sql
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=60"
    # The same question in other words: the categories in another order.
    for order in ("burglary,theft", "theft,burglary"):
        _response, sql = _get(client, {**question, "category": order})
    assert _served_from_the_answers(sql)
    # Another language is another answer.
    spanish, sql = _get(client, {**question, "lang": "es"})
    assert not _served_from_the_answers(sql)
    assert spanish.content != first.content


def test_if_none_match_gets_a_304(client, agency):
    _published(agency)
    question = _map_page_question()
    first = client.get(URL, question)
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response, sql = _get(client, question, if_none_match=header)
        assert response.status_code == 304, header
        assert response.content == b""
        assert response["ETag"] == etag
        assert response["Cache-Control"] == "public, max-age=60"
        assert _served_from_the_answers(sql)
    assert client.get(URL, question, headers={"if-none-match": '"other"'}).status_code == 200


def _delete_the_row(agency, incident):
    # Moderation or an administrator unpublishing it (the admin deletes the row).
    PublishedIncident.objects.filter(pk=incident.pk).delete()


def _code_becomes_sensitive_in_the_cad(agency, incident):
    CallType.objects.filter(agency=agency, code="459R").update(sensitive=True)
    publish.run(agency)


def _staff_mark_the_code_sensitive(agency, incident):
    CategoryMapping.objects.filter(pk=incident.mapping_id).update(sensitive=True)


def _staff_uncategorise_the_code(agency, incident):
    mapping = CategoryMapping.objects.get(pk=incident.mapping_id)
    mapping.category = ""
    mapping.save()


def _staff_recategorise_the_code(agency, incident):
    CategoryMapping.objects.filter(pk=incident.mapping_id).update(category="theft")


@pytest.mark.parametrize(
    "withdraw",
    [
        _delete_the_row,
        _code_becomes_sensitive_in_the_cad,
        _staff_mark_the_code_sensitive,
        _staff_uncategorise_the_code,
        _staff_recategorise_the_code,
    ],
)
def test_a_withdrawal_shows_on_the_very_next_request(client, agency, withdraw):
    truxtun_block(agency)
    incident = _published(agency)
    kept = _published(agency, code="415")  # another code, which stays
    for question in (_map_page_question(), {"lat": BLOCK_LAT, "lon": -119.008, "radius": "1"}):
        client.get(URL, question)
        cached, sql = _get(client, question)
        assert _served_from_the_answers(sql)
        assert sorted(_ids(cached)) == sorted([incident.pk, kept.pk])
    withdraw(agency, incident)
    for question in (_map_page_question(), {"lat": BLOCK_LAT, "lon": -119.008, "radius": "1"}):
        response = client.get(URL, question)
        features = response.json()["features"]
        if withdraw is _staff_recategorise_the_code:
            shown = {f["id"]: f["properties"]["category"] for f in features}
            assert shown == {incident.pk: "theft", kept.pk: "disturbance"}
        else:
            assert _ids(response) == [kept.pk]


def test_a_new_publication_shows_on_the_next_request(client, agency):
    truxtun_block(agency)
    first = _published(agency)
    question = _map_page_question()
    assert _ids(client.get(URL, question)) == [first.pk]
    second = _published(agency, code="415")
    assert sorted(_ids(client.get(URL, question))) == sorted([first.pk, second.pk])


def test_a_renamed_agency_shows_on_the_next_request(client, agency):
    _published(agency)
    question = _map_page_question()
    assert client.get(URL, question).json()["features"][0]["properties"]["agency"] == agency.slug
    Agency.objects.filter(pk=agency.pk).update(slug="bpd")
    assert client.get(URL, question).json()["features"][0]["properties"]["agency"] == "bpd"


def test_a_publication_run_with_nothing_new_keeps_the_answers(client, agency):
    """The job runs every minute and usually changes nothing; a code that is sensitive makes
    it delete (nothing) each time: the generation must stay, or no answer would live."""
    _published(agency)
    make_call(agency, "273.5")  # a sensitive code: the run deletes its rows, of which none
    publish.run(agency)
    before = answers.generation()
    client.get(URL, _map_page_question())
    publish.run(agency)
    assert answers.generation() == before
    _response, sql = _get(client, _map_page_question())
    assert _served_from_the_answers(sql)


def test_without_a_generation_nothing_is_kept(client, agency):
    _published(agency)
    Generation.objects.all().delete()
    question = _map_page_question()
    client.get(URL, question)
    response, sql = _get(client, question)
    assert response.status_code == 200
    assert not _served_from_the_answers(sql) and len(sql) > 1
    # The next change brings one back.
    PublishedIncident.objects.update(street="Truxtun Ave")
    assert answers.generation() is not None


def test_errors_are_not_kept(client, agency):
    question = {**_map_page_question(), "agency": "nowhere"}
    assert client.get(URL, question).status_code == 404
    Agency.objects.filter(pk=agency.pk).update(slug="nowhere")
    assert client.get(URL, question).status_code == 200
