"""Alerts as Atom (RFC 4287) and CAP 1.2 (OASIS Common Alerting Protocol), so other platforms
(county alerting, news sites, IPAWS aggregators) carry them.

Two feeds per agency and per beat:
- Atom: one entry per live alert, linking to its public page;
- CAP: an Atom index whose entries carry the whole CAP <alert> inline
  (content type application/cap+xml), the shape the OASIS CAP-feeds note describes.
A cancelled alert stays in the CAP feed for a day as msgType Cancel, referencing the original,
so a relaying system withdraws it instead of letting it run to its expiry.
Each alert's own CAP message is also served alone (`cap_message()`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from porchlight.alerts import shapes
from porchlight.alerts.models import Alert, Beat, Severity, Target

ATOM = "http://www.w3.org/2005/Atom"
CAP = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_TYPE = "application/cap+xml"
FEED_SIZE = 50
CANCELLED_KEPT = timedelta(days=1)

# CAP's three measures for each of our severities (CAP 1.2 section 3.2.2).
CAP_MEASURES: dict[str, tuple[str, str, str]] = {
    Severity.URGENT: ("Immediate", "Severe", "Observed"),
    Severity.WARNING: ("Expected", "Moderate", "Likely"),
    Severity.ADVISORY: ("Expected", "Minor", "Likely"),
    Severity.INFO: ("Unknown", "Minor", "Unknown"),
}

ET.register_namespace("", ATOM)
ET.register_namespace("cap", CAP)


def feed_alerts(agency_alerts: QuerySet[Alert], *, with_cancelled: bool) -> list[Alert]:
    """Live alerts, newest first (and, for CAP, those cancelled within the last day)."""
    now = timezone.now()
    live = Q(cancelled_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    if with_cancelled:
        live |= Q(cancelled_at__gt=now - CANCELLED_KEPT)
    rows = agency_alerts.filter(live, published_at__lte=now).select_related("agency")
    return list(rows.order_by("-published_at", "-id")[:FEED_SIZE])


def for_beat(alerts: QuerySet[Alert], beat: Beat) -> QuerySet[Alert]:
    """Alerts aimed at the beat, or whose area reaches into it (a radius or drawn area)."""
    aimed = alerts.filter(beats=beat).values_list("pk", flat=True)
    shape = shapes.from_geojson(beat.geometry)
    touching = [
        alert.pk
        for alert in alerts.exclude(target=Target.BEATS).only("pk", "area")
        if alert.area and shape.intersects(shapes.from_geojson(alert.area))
    ]
    return alerts.filter(Q(pk__in=list(aimed)) | Q(pk__in=touching))


# --- Atom --------------------------------------------------------------------------------------


def atom(
    alerts: Iterable[Alert], *, title: str, self_url: str, page_url: str, feed_id: str, cap: bool
) -> bytes:
    alerts = list(alerts)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    updated = max((a.updated for a in alerts), default=None) or timezone.now()
    _text(feed, "updated", rfc3339(updated))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url,
                  type="application/atom+xml")  # fmt: skip
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=page_url, type="text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", alerts[0].agency.name if alerts else title)
    _text(feed, "generator", "Porchlight")
    for alert in alerts:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        cancelled = alert.cancelled_at is not None
        _text(entry, "id", tag_uri(alert, cancelled))
        _text(entry, "title", ("[Cancelled] " if cancelled else "") + alert.title)
        _text(entry, "published", rfc3339(alert.published_at))
        _text(entry, "updated", rfc3339(alert.updated))
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=page(alert),
                      type="text/html")  # fmt: skip
        ET.SubElement(entry, f"{{{ATOM}}}category", term=alert.severity,
                      label=str(alert.get_severity_display()))  # fmt: skip
        if cap:
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=cap_url(alert),
                          type=CAP_TYPE)  # fmt: skip
            _text(entry, "summary", alert.body[:280])
            content = ET.SubElement(entry, f"{{{ATOM}}}content", type=CAP_TYPE)
            content.append(cap_alert(alert))
        else:
            _text(entry, "summary", alert.body[:280])
            content = _text(entry, "content", alert.body)
            content.set("type", "text")
    return _serialise(feed)


# --- CAP 1.2 -----------------------------------------------------------------------------------


def cap_message(alert: Alert) -> bytes:
    return _serialise(cap_alert(alert))


def cap_alert(alert: Alert) -> ET.Element:
    """One CAP 1.2 <alert>: Alert while live, Cancel (referencing the original) once cancelled."""
    agency = alert.agency
    cancelled = alert.cancelled_at is not None
    root = ET.Element(f"{{{CAP}}}alert")
    _cap(root, "identifier", identifier(alert, cancelled))
    _cap(root, "sender", sender(alert))
    _cap(root, "sent", cap_time(alert.cancelled_at if cancelled else alert.published_at, alert))
    _cap(root, "status", "Actual")
    _cap(root, "msgType", "Cancel" if cancelled else "Alert")
    _cap(root, "scope", "Public")
    if cancelled:
        original = ",".join(
            (sender(alert), identifier(alert, False), cap_time(alert.published_at, alert))
        )
        _cap(root, "references", original)
    info = ET.SubElement(root, f"{{{CAP}}}info")
    language = agency.default_language
    _cap(info, "language", f"{language}-US" if len(language) == 2 else language)
    # CAP's "Security": law enforcement and local security; "Safety" is general public safety.
    _cap(info, "category", "Security")
    _cap(info, "event", str(alert.get_kind_display()))
    urgency, severity, certainty = CAP_MEASURES[alert.severity]
    if cancelled:
        urgency = "Past"
    _cap(info, "urgency", urgency)
    _cap(info, "severity", severity)
    _cap(info, "certainty", certainty)
    _cap(info, "effective", cap_time(alert.published_at, alert))
    if alert.expires_at is not None:
        _cap(info, "expires", cap_time(alert.expires_at, alert))
    _cap(info, "senderName", agency.name)
    _cap(info, "headline", alert.title[:140])
    _cap(info, "description", alert.body)
    _cap(info, "web", page(alert))
    if agency.non_emergency_number:
        _cap(info, "contact", f"Non-emergency: {agency.non_emergency_number}. Emergency: 911.")
    area = ET.SubElement(info, f"{{{CAP}}}area")
    _cap(area, "areaDesc", alert.area_label or agency.name)
    if alert.area:
        for polygon in shapes.cap_polygons(shapes.from_geojson(alert.area)):
            _cap(area, "polygon", polygon)
    if alert.target == Target.RADIUS and alert.center_lat is not None and alert.radius_miles:
        # "lat,lon radius" with the radius in kilometres (CAP 1.2, 3.2.4).
        km = alert.radius_miles * 1.609344
        _cap(area, "circle", f"{alert.center_lat:.6f},{alert.center_lon:.6f} {km:.3f}")
    return root


# --- names and times ---------------------------------------------------------------------------


def host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def sender(alert: Alert) -> str:
    # Unique to the originator, no spaces, commas, "<" or "&" (CAP 1.2, 3.2.1).
    return f"{alert.agency.slug}@{host()}"


def identifier(alert: Alert, cancelled: bool) -> str:
    return f"{alert.agency.slug}-alert-{alert.pk}" + ("-cancel" if cancelled else "")


def tag_uri(alert: Alert, cancelled: bool) -> str:
    """A permanent Atom id (RFC 4151 tag URI): it survives a change of the site's address."""
    day = alert.published_at.astimezone(UTC).date().isoformat()
    return f"tag:{host()},{day}:{identifier(alert, cancelled)}"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cap_time(moment: datetime | None, alert: Alert) -> str:
    """CAP's dateTime: local time with its offset, no fraction, never "Z" (CAP 1.2, 3.3.2)."""
    assert moment is not None
    text = moment.astimezone(alert.agency.tz).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S%z")
    return f"{text[:-2]}:{text[-2:]}"


def page(alert: Alert) -> str:
    return settings.SITE_URL + reverse("alerts:page", args=[alert.share_token])


def cap_url(alert: Alert) -> str:
    return settings.SITE_URL + reverse("alerts:cap_message", args=[alert.share_token])


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = value
    return element


def _cap(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, f"{{{CAP}}}{name}").text = value


def _serialise(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
