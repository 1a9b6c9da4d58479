"""The demo's data: an agency, its mappings, a CAD key, a week of history, and a few rejects.

Seeding is idempotent: a second run finds what the first made and adds nothing, so `porchlight
demo` can be started again and again on the same var/ directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction

from porchlight.agencies.models import Agency, ApiKey, StatusCode, hash_api_key
from porchlight.alerts import demo as alerts_demo
from porchlight.assist import demo as assist_demo
from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call, Quarantine
from porchlight.calls.simulator import CAD_STATUS_CODES, Simulator
from porchlight.cases import demo as cases_demo
from porchlight.community import demo as community_demo
from porchlight.demo import addresses
from porchlight.demo.agency import make_agency
from porchlight.feedback import demo as feedback_demo
from porchlight.insights import demo as insights_demo
from porchlight.notify import inbound, rules
from porchlight.notify.models import Hold, Rule, Sender, Trigger
from porchlight.operations import demo as operations_demo
from porchlight.publicmap import demo as publicmap_demo
from porchlight.reports import demo as reports_demo

SLUG = "bakersfield"
SOURCE = "cad-sim"
HISTORY_SOURCE = "history"
HISTORY_BATCH = 1000
# The second agency is dispatched by the first's consolidated center; illustrative values.
NEIGHBOUR = {
    "slug": "arvin",
    "name": "Arvin Police Department",
    "ori": "CA0150300",
    "non_emergency_number": "661-854-5583",
    "sms_name": "Arvin PD",
}
# The CAD's own status codes, both the ones the simulator sends and common synonyms.
STATUS_CODES = {
    **{code: str(status) for status, code in CAD_STATUS_CODES.items()},
    "ONS": "onscene",
    "ENR": "enroute",
}


@dataclass
class Demo:
    agency: Agency
    neighbour: Agency
    key: str  # the raw CAD key, which only the demo keeps (under var/)
    history_calls: int
    next_incident: int


def seed(history_days: float = 7, now: datetime | None = None) -> Demo:
    with transaction.atomic():
        agency = Agency.objects.filter(slug=SLUG).first() or make_agency(slug=SLUG)
        neighbour = Agency.objects.filter(slug=NEIGHBOUR["slug"]).first() or make_agency(
            **NEIGHBOUR
        )
        for code, status in STATUS_CODES.items():
            StatusCode.objects.get_or_create(agency=agency, code=code, defaults={"status": status})
            StatusCode.objects.get_or_create(
                agency=neighbour, code=code, defaults={"status": status}
            )
        for short, found in (("Bakersfield PD", agency), ("Arvin PD", neighbour)):
            # A demo database made before agencies had a short name for texts gets one.
            if not found.sms_name:
                found.sms_name = short
                found.save(update_fields=["sms_name"])
        _rules(agency, neighbour)
        key = _cad_key(agency, neighbour)
    history = _history(agency, history_days, now)
    _quarantine_samples(agency)
    _message_samples(agency)
    addresses.seed(agency)
    feedback_demo.seed(agency)  # first: surveys exist before the demo's reports and cases
    reports_demo.seed(agency)
    community_demo.seed(agency)  # after the addresses: residents' places geocode against them
    cases_demo.seed(agency)
    alerts_demo.seed(agency)  # after the community: beats, alerts, a watch group for its residents
    assist_demo.seed(agency)  # after alerts: beats name the area; residents are told
    publicmap_demo.seed(agency, history_days + 1, now)
    operations_demo.seed(agency)  # after the cases: a hold on one of them
    insights_demo.seed(agency)  # last: the rollups read every call the demo made
    return Demo(agency, neighbour, key, history, next_incident(agency))


def _rules(agency: Agency, neighbour: Agency) -> None:
    """Both agencies get the default rules; the demo agency also texts "on the way" for its
    two most urgent priorities, so the admin shows a rule that was configured."""
    rules.install_defaults(agency)
    rules.install_defaults(neighbour)
    # Matched by its default name, so a second run (or an admin's own change) is left alone.
    Rule.objects.filter(
        agency=agency, trigger=Trigger.ENROUTE, name="En route", enabled=False
    ).update(enabled=True, name="En route (priority 1 and 2)", priority_codes=["1", "2"])


def _cad_key(agency: Agency, neighbour: Agency) -> str:
    """The simulator's key: kept raw under var/ so a restart reuses it instead of minting more."""
    path = Path(settings.VAR_DIR) / ".demo_cad_key"
    raw = path.read_text().strip() if path.exists() else ""
    key = ApiKey.objects.active().filter(key_hash=hash_api_key(raw)).first() if raw else None
    if key is None:
        raw = ApiKey.generate()
        key = ApiKey(agency=agency, source=SOURCE)
        key.set_key(raw)
        key.save()
        path.write_text(raw)
        path.chmod(0o600)
    # A consolidated dispatch center: the same feed carries the neighbour's calls, routed by ORI.
    key.also_covers.add(neighbour)
    return raw


def _history(agency: Agency, days: float, now: datetime | None) -> int:
    """The week before the demo, fed through intake as history (which never texts anyone)."""
    done = Call.objects.filter(agency=agency, historical=True).count()
    if done or days <= 0:
        return done
    end = (now or datetime.now(agency.tz)).astimezone(agency.tz)
    sim = Simulator(
        seed=2026,
        start=end - timedelta(days=days),
        time_zone=agency.time_zone,
        run_id="hist",
        status_codes=CAD_STATUS_CODES,
    )
    # Only calls that had ended by now: the live stream starts from an empty queue.
    events = sim.run(days * 24)
    late = {e["incident_number"] for e in events if datetime.fromisoformat(e["event_time"]) > end}
    events = [e for e in events if e["incident_number"] not in late]
    feed = Feed(agency=agency, source=HISTORY_SOURCE, covered={agency.ori: agency}, historical=True)
    for i in range(0, len(events), HISTORY_BATCH):
        ingest(feed, events[i : i + HISTORY_BATCH])
    return Call.objects.filter(agency=agency, historical=True).count()


def _quarantine_samples(agency: Agency) -> None:
    """Two events a real CAD might send, so the quarantine page has something to show."""
    if Quarantine.objects.filter(
        agency=agency, source=SOURCE, event_id__startswith="demo-bad-"
    ).exists():
        return
    at = datetime.now(agency.tz).replace(microsecond=0)
    bad = [
        {
            # A transfer to another agency: a CAD code nobody mapped yet.
            "event_id": "demo-bad-1",
            "incident_number": "26-900001",
            "call_type": "415",
            "priority": "2",
            "event_time": at.isoformat(),
            "status": "XFER",
        },
        {
            # A CAD that forgot the time zone: the time is ambiguous, so it is not guessed.
            "event_id": "demo-bad-2",
            "incident_number": "26-900002",
            "call_type": "459R",
            "priority": "3",
            "event_time": at.replace(tzinfo=None).isoformat(),
            "status": "received",
        },
    ]
    ingest(Feed(agency=agency, source=SOURCE, covered={agency.ori: agency}), bad)


# The demo's sending number: toll-free (3 texts a second), an illustrative 555 number.
DEMO_SENDER = "+18555550123"
# Texts callers sent back, so the Replies page and the consent log have something to show: an
# emergency typed into a reply (answered "not monitored, call 911"), a Spanish HELP, a STOP.
DEMO_REPLIES = [
    ("SMdemoreply1", "+16615550187", "Is anyone coming? He is still outside the house"),
    ("SMdemoreply2", "+16615550164", "ayuda"),
    ("SMdemoreply3", "+16615550139", "Stop"),
]


def _message_samples(agency: Agency) -> None:
    """A sending number, three inbound replies and one staff stop, each seeded once."""
    Sender.objects.get_or_create(
        agency=agency,
        phone_number=DEMO_SENDER,
        defaults={"label": "Non-emergency updates", "profile": Sender.Profile.TOLL_FREE},
    )
    for sid, number, body in DEMO_REPLIES:
        inbound.handle(inbound.Text(sid=sid, from_=number, to=DEMO_SENDER, body=body))
    call = Call.objects.filter(agency=agency, historical=True).order_by("-first_event_at").first()
    if call is not None and not Hold.objects.filter(agency=agency).exists():
        Hold.objects.create(
            agency=agency,
            call=call,
            reason="Detective's request: the caller's phone may be read by the suspect",
        )


def next_incident(agency: Agency) -> int:
    """The number after the highest simulated incident, so a new run never reuses one."""
    highest = 0
    for number in Call.objects.filter(
        agency=agency, incident_number__regex=r"^[0-9]{2}-[0-8][0-9]{5}$"
    ).values_list("incident_number", flat=True):
        highest = max(highest, int(number[3:]))
    return highest + 1
