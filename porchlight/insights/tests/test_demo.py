"""The demo's dashboards have figures at once: its rollups hold every call it made, and the
calls dashboard shows them (with the map, since the demo loads beat shapes)."""

import pytest
from django.db.models import Sum

from porchlight.calls.models import Call
from porchlight.demo.seed import seed
from porchlight.insights.dashboards import calls
from porchlight.insights.filters import Filters
from porchlight.insights.models import BeatRollup, CallRollup


@pytest.mark.django_db
def test_the_demo_builds_its_rollups(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    agency = seed(history_days=2).agency
    made = Call.objects.filter(agency=agency).count()
    assert made > 50
    assert CallRollup.objects.filter(agency=agency).aggregate(n=Sum("calls"))["n"] == made
    assert BeatRollup.objects.filter(agency=agency).aggregate(n=Sum("calls"))["n"] == made
    board = calls.compute(agency, Filters.from_query({}, agency))
    shown = {row[0]: row[1] for row in board.figure("summary").rows}
    assert int(shown["Calls"]) > 0
    assert board.figure("map").chart is not None


@pytest.mark.django_db
def test_the_demo_loads_district_shapes_its_calls_use(settings, tmp_path):
    from porchlight.insights.models import District

    settings.VAR_DIR = tmp_path
    agency = seed(history_days=1).agency
    codes = set(District.objects.filter(agency=agency).values_list("code", flat=True))
    assert codes == {"Central", "East", "Northwest", "Southwest", "South"}
    used = set(Call.objects.filter(agency=agency).values_list("district", flat=True))
    assert used and used <= codes
    board = calls.compute(agency, Filters.from_query({}, agency))
    assert board.figure("district_map").chart is not None
