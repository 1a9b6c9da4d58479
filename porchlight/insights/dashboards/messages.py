"""The messages dashboard: what was planned, sent, delivered, failed (by reason) and
suppressed (by reason), by channel and trigger; opt-outs; SMS segments and their estimated
cost. Read from the outbox and the consent log with grouped queries over the date range (the
outbox is one row per message, far fewer than calls' events, and indexed by time)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from porchlight.agencies.models import Agency
from porchlight.insights import charts
from porchlight.insights.figures import Dashboard, Figure, pct
from porchlight.insights.filters import Filters, any_of, clocks
from porchlight.notify import gsm
from porchlight.notify.console import _consent_log
from porchlight.notify.metrics import _reason
from porchlight.notify.models import (
    Channel,
    ConsentChange,
    Contact,
    DeliverySettings,
    Outbox,
    State,
)

SENT = (State.SENT, State.DELIVERED)
FAILED = (State.FAILED, State.DEAD)
# The states a rows link asks for, by the name the page uses.
GROUPS: dict[str, tuple[str, ...]] = {
    "sent": SENT,
    "delivered": (State.DELIVERED,),
    "failed": FAILED,
    "suppressed": (State.SUPPRESSED,),
    "waiting": (State.PLANNED, State.SCHEDULED, State.SENDING),
}


def outbox(agency: Agency | None, filters: Filters) -> QuerySet[Outbox]:
    qs = Outbox.objects.filter(filters.window("created", agency))
    if agency is not None:
        qs = qs.filter(agency=agency)
    # A call filter keeps the messages about calls that match it (others have no call).
    return qs.filter(filters.calls_q(via="call__"))


def consent_log(agency: Agency | None, filters: Filters) -> QuerySet[ConsentChange]:
    """The consent changes in the date range. A change has no agency, only an address: it is
    read on the clock of the agencies whose contacts have that address, as an agency's own
    log picks its changes (notify.console._consent_log); across agencies, one range per time
    zone in use, never the server's clock."""
    log = _consent_log(agency)
    if agency is not None:
        return log.filter(filters.between("at", agency.tz))
    return log.filter(
        any_of(
            [
                Q(address_hash__in=Contact.objects.filter(which).values("address_hash"))
                & filters.between("at", tz)
                for which, tz in clocks(None)
            ]
        )
    )


def reason_q(label: str) -> Q:
    """The rows notify.metrics._reason gives this label: the error code, or the reason's text
    before its first colon."""
    return Q(error_code=label) | Q(error_code="", reason__startswith=label)


def segments(qs: QuerySet[Outbox]) -> int:
    """SMS segments of the texts that went, counted from their bodies as sent."""
    bodies = qs.filter(channel=Channel.SMS, state__in=SENT).values_list("body", flat=True)
    return sum(len(gsm.split(body)) for body in bodies.iterator(chunk_size=2000))


def compute(agency: Agency | None, filters: Filters) -> Dashboard:
    qs = outbox(agency, filters)
    by_state = {
        (row["channel"], row["state"]): row["n"]
        for row in qs.values("channel", "state").annotate(n=Count("id")).order_by()
    }

    def count(states: tuple[str, ...], channel: str | None = None) -> int:
        return sum(n for (ch, st), n in by_state.items() if st in states and channel in (None, ch))

    total = sum(by_state.values())
    sms_segments = segments(qs)
    price = Decimal("0.0079")
    if agency is not None:
        settings_row = DeliverySettings.objects.filter(agency=agency).first()
        if settings_row is not None:
            price = settings_row.price_per_segment
    consent = consent_log(agency, filters)
    opt_outs = consent.filter(action=ConsentChange.Action.OPT_OUT).count()

    summary = Figure("summary", _("Summary"), [_("Measure"), _("Value")])

    def link(group: str, n: int, **extra: str) -> list[str | None]:
        return [None, filters.query(state=group, **extra) if n else None]

    summary.add([_("Messages"), total], [None, filters.query() if total else None])
    for group, label in (
        ("sent", _("Sent (accepted by the provider)")),
        ("delivered", _("Delivered (confirmed)")),
        ("failed", _("Failed")),
        ("suppressed", _("Suppressed")),
        ("waiting", _("Waiting to be sent")),
    ):
        n = count(GROUPS[group])
        summary.add([label, n], link(group, n))
    summary.add([_("Delivered of sent"), pct(count((State.DELIVERED,)), count(SENT))])
    summary.add([_("Opt-outs"), opt_outs])
    summary.add([_("SMS segments sent"), sms_segments])
    summary.add([_("Estimated SMS cost (USD)"), f"{(price * sms_segments):.2f}"])

    channels = Figure(
        "channels",
        _("By channel"),
        [_("Channel"), _("Messages"), _("Sent"), _("Delivered"), _("Failed"), _("Suppressed")],
    )
    labels = dict(Channel.choices)
    bar_items: list[tuple[str, float | None, str, str | None]] = []
    for channel in sorted({ch for ch, _st in by_state}):
        name = str(labels.get(channel, channel))
        cells: list[Any] = [name, sum(n for (ch, _st), n in by_state.items() if ch == channel)]
        links: list[str | None] = [None, filters.query(channel=channel)]
        for group in ("sent", "delivered", "failed", "suppressed"):
            n = count(GROUPS[group], channel)
            cells.append(n)
            links.append(filters.query(channel=channel, state=group) if n else None)
        channels.add(cells, links)
        bar_items.append((name, cells[1], str(cells[1]), links[1]))
    if bar_items:
        channels.chart = charts.bars(bar_items)
        channels.chart["caption"] = _("messages by channel")

    failures = Figure("failures", _("Failures by reason"), [_("Reason"), _("Messages")])
    tally: dict[str, int] = {}
    for code, reason in qs.filter(state__in=FAILED).values_list("error_code", "reason").iterator():
        label = _reason(code, reason)
        tally[label] = tally.get(label, 0) + 1
    for label, n in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])):
        failures.add([label, n], [None, filters.query(state="failed", reason=label)])

    suppressed = Figure("suppressed", _("Suppression reasons"), [_("Reason"), _("Messages")])
    rows = (
        qs.filter(state=State.SUPPRESSED)
        .values("reason")
        .annotate(n=Count("id"))
        .order_by("-n", "reason")
    )
    for row in rows:
        label = row["reason"] or _("(none)")
        suppressed.add(
            [label, row["n"]],
            [
                None,
                filters.query(state="suppressed", reason=row["reason"]) if row["reason"] else None,
            ],
        )
    if suppressed.rows:
        suppressed.chart = charts.bars(
            [(r[0], float(r[1]), r[1], None) for r in suppressed.rows[:10]]
        )
        suppressed.chart["caption"] = _("the ten most common reasons")

    optouts = Figure(
        "consent",
        _("Opt-outs and opt-ins"),
        [pgettext("consent", "Change"), _("Source"), _("Count")],
    )
    actions = dict(ConsentChange.Action.choices)
    for change in (
        consent.values("action", "source").annotate(n=Count("id")).order_by("action", "source")
    ):
        optouts.add(
            [actions.get(change["action"], change["action"]), change["source"], change["n"]]
        )

    triggers = Figure("triggers", _("By kind of message"), [_("Kind"), _("Messages"), _("Sent")])
    names = dict(Outbox._meta.get_field("trigger").choices or [])
    per_trigger = (
        qs.values("trigger")
        .annotate(n=Count("id"), sent=Count("id", filter=Q(state__in=SENT)))
        .order_by("trigger")
    )
    for kind in per_trigger:
        triggers.add(
            [names.get(kind["trigger"], kind["trigger"]), kind["n"], kind["sent"]],
            [None, filters.query(trigger=kind["trigger"]), None],
        )
    figures = [summary, channels, failures, suppressed, optouts, triggers]
    return Dashboard("messages", _("Messages"), figures)
