"""`{% department_alerts agency %}`: the agency's live alerts and posts, for the resident's feed.

The feed is the community app's page, and the alerts are this app's: a tag keeps the community
views free of alerts code (as the nav include does). Every live alert is public already (the
agency's alert list), so the feed shows them all, urgent first, whatever the resident's places.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Case, IntegerField, Value, When

from porchlight.agencies.models import Agency
from porchlight.alerts.models import Alert, Severity, live

register = template.Library()

SHOWN = 3  # the rest are one link away, on the agency's alert list


@register.inclusion_tag("alerts/_department.html")
def department_alerts(agency: Agency) -> dict[str, Any]:
    alerts = live(Alert.objects.filter(agency=agency)).annotate(
        urgent_first=Case(
            When(severity=Severity.URGENT, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    shown = list(alerts.order_by("urgent_first", "-pinned", "-published_at")[: SHOWN + 1])
    return {"agency": agency, "alerts": shown[:SHOWN], "more": len(shown) > SHOWN}
