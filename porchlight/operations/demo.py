"""The demo's operations data: a records schedule item, a litigation hold on one case, and the
feed statistics caught up with the demo's events, so the three operations pages have
something to show."""

from __future__ import annotations

from django.db import transaction

from porchlight.agencies.models import Agency
from porchlight.audit.log import record
from porchlight.cases.models import Case
from porchlight.operations import feeds
from porchlight.operations.models import LegalHold, RecordKind, RecordsSchedule


def seed(agency: Agency) -> None:
    with transaction.atomic():
        RecordsSchedule.objects.get_or_create(
            agency=agency,
            kind=RecordKind.REPORT,
            defaults={"min_days": 730, "authority": "Demo: two years for crime reports"},
        )
        case = Case.objects.filter(agency=agency).order_by("pk").first()
        if case is not None and not LegalHold.objects.filter(agency=agency, case=case).exists():
            hold = LegalHold.objects.create(
                agency=agency, case=case, reason="Demo: claim against the city, file 26-0117"
            )
            record(
                "operations.hold.place",
                actor_label="demo",
                agency=agency,
                target=hold,
                changes={"case": case.pk, "reason": hold.reason},
            )
    feeds.catch_up()
