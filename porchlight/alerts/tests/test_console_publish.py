"""Staff publish, pin and withdraw alerts from the console: scoped to their agency, audited,
bad input refused with the reason."""

import json

import pytest

from porchlight.agencies.models import Role
from porchlight.alerts.models import Alert, Target
from porchlight.audit.models import AuditEntry

from .conftest import LAT, LON, square

URL = "/console/alerts/"


def form(**fields):
    data = {"kind": "alert", "severity": "advisory", "title": "Road closed",
            "body": "Main St is closed.", "target": "beats", "expires": "6"}  # fmt: skip
    data.update(fields)
    return data


def test_publishing_to_beats_plans_and_audits(signed_in, agency, grid):
    client = signed_in(role=Role.ADMIN)
    response = client.post(URL, form(beats=[grid["1A"].pk, grid["2A"].pk]))
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert alert.target == Target.BEATS and alert.area["type"] == "Polygon"  # 1A and 2A touch
    assert alert.expires_at is not None
    entry = AuditEntry.objects.get(action="alerts.publish")
    assert entry.changes["beats"] == ["1A", "2A"] and entry.agency == agency
    page = client.get(URL).content.decode()
    assert "Road closed" in page and "messages planned" in page


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"target": "beats"}, "choose at least one beat"),
        ({"target": "radius", "lat": LAT, "lon": LON}, "latitude and longitude and a radius"),
        ({"target": "radius", "lat": LAT, "lon": LON, "miles": 99}, "less than or equal to 25"),
        ({"target": "polygon", "polygon": "{not json"}, "not GeoJSON"),
        ({"target": "polygon", "polygon": json.dumps({"type": "Point", "coordinates": [0, 0]})},
         "Polygon or MultiPolygon"),
        ({"title": ""}, "This field is required"),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_with_the_reason(signed_in, agency, grid, fields, reason):
    client = signed_in()
    response = client.post(URL, form(**fields))
    assert response.status_code == 400 and reason in response.content.decode()
    assert not Alert.objects.exists()


def test_a_drawn_polygon_and_a_radius(signed_in, agency):
    client = signed_in()
    client.post(URL, form(target="polygon", polygon=json.dumps(square(LAT, LON, 0.01))))
    client.post(URL, form(target="radius", lat=LAT, lon=LON, miles="0.5", area_label="The park"))
    drawn, radius = Alert.objects.order_by("pk")
    assert drawn.target == Target.POLYGON and radius.area_label == "The park"


def test_read_only_staff_see_the_list_but_cannot_publish(signed_in, agency, grid):
    client = signed_in(role=Role.READ_ONLY)
    assert client.get(URL).status_code == 200
    assert client.post(URL, form(beats=[grid["1A"].pk])).status_code == 403


def test_staff_cannot_touch_another_agencys_alert(signed_in, agency, other_agency, grid):
    from porchlight.alerts import publish

    theirs = publish.publish(other_agency, publish.radius_area(LAT, LON, 1), title="T", body="B")
    client = signed_in()
    assert client.post(f"/console/alerts/{theirs.pk}/cancel").status_code == 404
    assert "T" not in [a.title for a in Alert.objects.filter(cancelled_at__isnull=False)]
    assert client.get(URL).content.decode().count(">T</a>") == 0


def test_pin_and_withdraw_are_audited(signed_in, agency, grid):
    from porchlight.alerts import publish

    alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title="T", body="B")
    client = signed_in()
    client.post(f"/console/alerts/{alert.pk}/pin", {"pinned": "1"})
    client.post(f"/console/alerts/{alert.pk}/cancel")
    alert.refresh_from_db()
    assert alert.pinned and alert.cancelled_at is not None
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"alerts.pin", "alerts.cancel"} <= actions


def test_signed_out_visitors_go_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
