import pytest

from porchlight.cases.models import RmsStatus, Term
from porchlight.cases.open import open_case
from porchlight.notify import texts
from porchlight.notify.models import Outbox

# One RMS code per NIBRS term, as an agency might have them.
CODES = {
    "OPN": Term.OPEN,
    "ASG": Term.ASSIGNED,
    "CBA": Term.CLEARED_ARREST,
    "EXA": Term.EXCEPTIONAL_A,
    "EXB": Term.EXCEPTIONAL_B,
    "EXC": Term.EXCEPTIONAL_C,
    "EXD": Term.EXCEPTIONAL_D,
    "EXE": Term.EXCEPTIONAL_E,
    "UNF": Term.UNFOUNDED,
    "SUS": Term.SUSPENDED,
    "CLS": Term.CLOSED,
}


@pytest.fixture
def statuses(agency):
    return {
        code: RmsStatus.objects.create(agency=agency, code=code, term=term)
        for code, term in CODES.items()
    }


@pytest.fixture
def make_case(agency):
    def make(**extra):
        fields = {
            "source": "online",
            "offense_code": "23F",
            "offense": "Theft from motor vehicle",
            "occurred_at": None,
            "address": "1601 Truxtun Ave",
            "lat": 35.3733,
            "lon": -119.0187,
            "reporter_phone": "(661) 555-0199",
            "language": "en",
        }
        fields.update(extra)
        return open_case(agency, **fields)

    return make


def sent_text(row: Outbox) -> str:
    """The words the worker would send for this row, rendered as at send time."""
    row = Outbox.objects.select_related("agency", "contact").get(pk=row.pk)
    return texts.compose(row, None, None).body


@pytest.fixture(autouse=True)
def daytime(time_machine):
    # Case updates respect quiet hours: the tests run at 11 AM in the agency's time zone.
    time_machine.move_to("2026-11-23T19:00:00Z", tick=True)
