"""The residents' notice of an approved request, through their alert channels.

Who: residents with a place whose point lies inside the request's area. Unlike an alert, a
place's own radius does not widen the reach: the request asks for footage from cameras at the
place, so a place outside the area has nothing to give, and its resident is not told about an
investigation near them.

How: every channel the resident's alert settings for those places turn on (email when a place
has no settings), at once (not in a digest: a request is open for days, not weeks), under the
agency's rule for Trigger.ASSIST (created with editable words on first use) with quiet hours.
The rows are written by alerts.fanout.plan_rows, set-based, deduped per request and contact.
"""

from __future__ import annotations

import numpy as np
from django.db import transaction
from django.urls import reverse

from porchlight.agencies.models import Agency
from porchlight.alerts import fanout, reach, shapes
from porchlight.alerts.models import ResidentContact
from porchlight.assist.models import AssistanceRequest
from porchlight.community.models import Place, Resident
from porchlight.notify.models import Channel, Rule, Template, Trigger

# The words residents read, per language: what is asked (incident type and the agency's
# description), by whom (in the description's last line), and that sharing is voluntary.
_SUBJECT = {
    "en": "{{ agency }}: request for help: {{ alert_title }}",
    "es": "{{ agency }}: solicitud de ayuda: {{ alert_title }}",
}
_BODY = {
    "en": (
        "{{ agency }} asks neighbors in the area for camera footage or photos "
        "({{ alert_title }}).\n{{ alert_text }}\n"
        "Sharing is voluntary: you choose what to share, and you can say no. "
        "Details and sharing: {{ alert_url }}{% if opt_out %}\n{{ opt_out }}{% endif %}"
    ),
    "es": (
        "{{ agency }} pide a los vecinos de la zona videos o fotos de sus cámaras "
        "({{ alert_title }}).\n{{ alert_text }}\n"
        "Compartir es voluntario: usted decide qué compartir y puede decir que no. "
        "Detalles y cómo compartir: {{ alert_url }}{% if opt_out %}\n{{ opt_out }}{% endif %}"
    ),
}
RULE_POSITION = 930


def ensure_rule(agency: Agency) -> list[Rule]:
    """The agency's rules for requests for assistance (created when it has none)."""
    found = list(Rule.objects.filter(agency=agency, trigger=Trigger.ASSIST))
    if found:
        return found
    with transaction.atomic():
        rule = Rule.objects.create(
            agency=agency, name="Request for assistance", trigger=Trigger.ASSIST,
            position=RULE_POSITION, sms=True, email=True, push=True, valid_minutes=24 * 60,
        )  # fmt: skip
        for language in ("en", "es"):
            Template.objects.create(
                rule=rule, language=language, subject=_SUBJECT[language], body=_BODY[language]
            )
    return [rule]


def inside(item: AssistanceRequest) -> dict[int, set[str]]:
    """Resident id → channels, for residents with a place inside the request's area."""
    area = shapes.from_geojson(item.area)
    min_lon, min_lat, max_lon, max_lat = area.bounds
    rows = list(
        Place.objects.filter(
            agency_id=item.agency_id,
            lat__range=(min_lat, max_lat),
            lon__range=(min_lon, max_lon),
        ).values_list(
            "resident_id", "lat", "lon", "alert_preference__email",
            "alert_preference__push", "alert_preference__sms", "alert_preference__mode",
        )
    )  # fmt: skip
    if not rows:
        return {}
    hit = shapes.contains(
        area,
        [r[1] for r in rows],
        [r[2] for r in rows],
    )
    out: dict[int, set[str]] = {}
    for row, is_in in zip(rows, np.asarray(hit), strict=True):
        if not is_in:
            continue
        channels = out.setdefault(row[0], set())
        if row[6] is None:  # no alert settings for this place: the default, email
            channels.add(Channel.EMAIL.value)
        else:
            channels.update(
                name for name, on in (("email", row[3]), ("push", row[4]), ("sms", row[5])) if on
            )
    return out


def page_url(item: AssistanceRequest) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse("assist:share", args=[item.agency.slug, item.pk])


def send(item: AssistanceRequest) -> int:
    """Plan the notices (call inside approve()'s transaction). Returns residents notified."""
    agency = item.agency
    wanted = inside(item)
    if not wanted:
        return 0
    # A resident who never opened their alert settings has no email contact yet.
    have_email = set(
        ResidentContact.objects.filter(
            resident_id__in=list(wanted), channel=Channel.EMAIL
        ).values_list("resident_id", flat=True)
    )
    for resident in Resident.objects.filter(pk__in=set(wanted) - have_email).select_related("user"):
        reach.ensure_email(resident)
    text = item.description
    if item.contact_name:
        text = f"{text}\n— {item.contact_name}"
    context = {
        "alert_title": item.incident_type,
        "alert_text": text,
        "alert_url": page_url(item),
    }
    fanout.plan_rows(
        agency, Trigger.ASSIST, wanted, f"assist:{item.pk}", context,
        rulebook=ensure_rule(agency), expires_at=item.expires_at,
    )  # fmt: skip
    return len(wanted)
