"""Asking: one invitation, with a one-time link, through the notification engine.

Three ways in, each an explicit call from the code that owns the moment:
- `after_calls_cleared(applied)`: from calls intake, in the batch's transaction, for the calls
  the batch cleared;
- `after_case_closed(case)`: from cases.status.close(), for the case's opted-in victims;
- `after_online_report(report)`: from reports.filing.file_report(), for the reporter.

Whoever calls, the same steps: the agency's first enabled survey for that moment; the call's
exclusions (plan.exclusion: sensitive or unmapped type, juvenile, do not contact) and history
ask nobody, nor do the survey's switched-off call types; the sampling rate picks a fixed share
(by a hash of the survey and the call, so a replay picks the same); then one message through
`notify.plan.message()`, by SMS when there is a phone and by email otherwise, due after the
survey's delay and after quiet hours, whose link works for FEEDBACK_LINK_DAYS from then.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.calls import bulk
from porchlight.calls.changes import Applied
from porchlight.calls.models import Call, Status
from porchlight.feedback import defaults, roster
from porchlight.feedback.models import Invitation, Shift, Survey, When
from porchlight.feedback.models import Settings as FeedbackSettings
from porchlight.notify import plan
from porchlight.notify.models import Contact, Outbox, Trigger

if TYPE_CHECKING:  # the cases and reports apps call in; feedback does not import them
    from porchlight.cases.models import Case
    from porchlight.reports.models import Report

TOKEN_BYTES = 12


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sampled(survey: Survey, subject: str) -> bool:
    """Whether this call (or case, or report) is in the survey's sample: a fixed share, the
    same answer every time for the same subject."""
    if survey.sample_percent >= 100:
        return True
    digest = hashlib.sha256(f"{survey.pk}:{subject}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10000 < survey.sample_percent * 100


def language_of(code: str, agency: Agency) -> str:
    known = {c for c, _ in settings.LANGUAGES}
    for candidate in (code, code.split("-")[0]):
        if candidate in known:
            return candidate
    default = agency.default_language
    return default if default in known else settings.LANGUAGE_CODE


def survey_for(agency: Agency, when: str) -> Survey | None:
    defaults.ensure(agency.pk)
    return Survey.objects.filter(agency=agency, when=when, enabled=True).order_by("id").first()


class Ready(NamedTuple):
    """What inviting reads per agency, not per call: the agencies, their surveys for a cleared
    call and their shifts. Intake reads it before it locks any call (`ready()`), so these reads
    are not part of the time concurrent batches on the same calls wait for each other
    (docs/performance.md, fourth pass)."""

    agencies: dict[int, Agency]
    surveys: dict[int, Survey]
    shifts: dict[int, list[Shift]]
    standing: plan.Standing | None = None


def ready(agencies: dict[int, Agency], standing: plan.Standing | None = None) -> Ready:
    """The agencies' surveys for a cleared call (their defaults made where missing) and their
    shifts: two or three queries."""
    shifts: dict[int, list[Shift]] = {}
    for one in Shift.objects.filter(agency_id__in=set(agencies)):
        shifts.setdefault(one.agency_id, []).append(one)
    return Ready(agencies, surveys_for(set(agencies), When.CALL_CLEARED), shifts, standing)


def after_calls_cleared(applied: Applied) -> None:
    """Invite the callers of the calls this intake batch cleared. Called by calls.intake inside
    the batch's transaction, after notify.plan.calls().

    Set-based, like plan.calls(): the same invitations as `invite()` for each call in turn
    (the same checks in the same order, the same outbox rows and the same copied details),
    with a fixed number of statements whatever the batch's size: the calls' agencies and
    contacts, each agency's survey, the invitations already made, then `plan.messages()` (the
    rules, delivery settings and senders read once, one INSERT), the agencies' shifts, ONE
    INSERT of invitations and `roster.officer_ids_for()` with one INSERT of their officers.
    Per call, invite() cost most of intake's CPU (docs/performance.md, "Fast paths (issue 9),
    third pass").

    On PostgreSQL the invitations already made, the outbox INSERT and the invitations' INSERT
    are one statement (`_planned_sql()`), and the contacts' and officers' reads are SQL
    written once that carry intake's held writes with them (calls/bulk.py): this runs while
    the batch holds its calls' row locks, and each round trip there is time concurrent
    batches on the same calls wait (docs/performance.md, issue 9, sixth pass)."""
    cleared_now = {ev.call_id for ev in applied.events if ev.status == Status.CLEARED}
    calls: list[Call] = []
    for pk in sorted(cleared_now):
        call = applied.calls.get(pk)
        if call is None or call.historical or call.status != Status.CLEARED:
            continue
        if applied.status_before.get(pk) == Status.CLEARED:
            continue  # cleared before this batch: asked then
        if (call.caller_phone_id or call.caller_email_id) is None:
            continue
        calls.append(call)
    if not calls:
        return
    agency_ids = {c.agency_id for c in calls}
    # Read by intake before it locked the calls (`ready()`), or here.
    prepared = applied.ready
    if prepared is None or not agency_ids <= prepared.agencies.keys():
        prepared = ready({a.pk: a for a in Agency.objects.filter(pk__in=agency_ids)})
    agencies, surveys = prepared.agencies, prepared.surveys
    contacts = _contacts_of(calls, applied.callers)

    # invite()'s checks before it reads anything: the contact, the refusal, the sample.
    asked: list[tuple[Survey, Contact, Call]] = []
    for call in calls:
        _known_relations(call, agencies, applied)
        survey = surveys.get(call.agency_id)
        contact = contacts.get(call.caller_phone_id or call.caller_email_id)  # type: ignore[arg-type]
        if survey is None or contact is None:
            continue
        if contact.agency_id != call.agency_id or contact.purged_at is not None:
            continue
        if refusal(survey, call) or not sampled(survey, f"call:{call.pk}"):
            continue
        asked.append((survey, contact, call))
    if not asked:
        return
    one_statement = connection.vendor == "postgresql"
    if not one_statement:
        # A call asked before (a replayed batch) keeps its invitation and gets no second
        # message. (PostgreSQL checks it in _planned_sql()'s statement.)
        made = set(
            Invitation.objects.filter(
                survey_id__in={s.pk for s, _, _ in asked},
                when=When.CALL_CLEARED,
                call_id__in={c.pk for _, _, c in asked},
                reference="",
            ).values_list("survey_id", "call_id")
        )
        asked = [(s, p, c) for s, p, c in asked if (s.pk, c.pk) not in made]
        if not asked:
            return

    now = timezone.now()
    link = _link()
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in asked]
    asks = []
    for (survey, contact, call), token in zip(asked, tokens, strict=True):
        agency = call.agency
        asks.append(
            plan.Ask(
                agency,
                contact,
                Trigger.SURVEY,
                dedupe=f"survey:{survey.pk}:call:{call.pk}"[:60],
                context=_context(link(token), call.incident_number, now, agency),
                language=language_of(call.caller_language, agency),
                call=call,
                due=now + timedelta(hours=survey.delay_hours),
            )
        )
    shifts = prepared.shifts
    rostered: dict[str, tuple[Call, Shift | None, date]] = {}  # by token hash

    def invitation(
        survey: Survey, contact: Contact, call: Call, token: str, ask: plan.Ask
    ) -> list[Any]:
        """The invitation's own values, in _INVITATION_OWN order."""
        shift, day = roster.shift_in(
            shifts.get(call.agency_id, []), call.agency, call.received_at or call.first_event_at
        )
        hashed = token_hash(token)
        rostered[hashed] = (call, shift, day)
        details = _copied(call)
        return [
            call.agency_id, survey.pk, survey.when, call.pk, "", contact.pk, hashed,
            ask.language, now, shift.pk if shift is not None else None, details["beat"],
            details["district"], details["call_type"], details["priority"], details["units"],
            details["call_taker"],
        ]  # fmt: skip

    ours: dict[str, int]
    if one_statement:
        # The "already invited" check, the outbox rows and the invitations in ONE statement:
        # one round trip inside the call locks' window instead of three (docs/performance.md,
        # issue 9, sixth pass).
        keys, outbox = plan.outbox_rows(asks, prepared.standing)
        held = iter(outbox)
        rows: list[list[Any]] = [
            [*next(held), *invitation(survey, contact, call, token, ask)]
            for (survey, contact, call), token, ask, key in zip(
                asked, tokens, asks, keys, strict=True
            )
            if key is not None  # the agency has no enabled rule that sends this invitation
        ]
        if not rows:
            return
        ours = dict(
            bulk.fetch_pg(
                _planned_sql(),
                [
                    list({call.pk for _, _, call in asked}),
                    bulk.json_param(rows),
                    list({contact.pk for _, contact, _ in asked}),
                    settings.FEEDBACK_LINK_DAYS,
                ],
            )
        )
    else:
        planned = plan.messages(asks, prepared.standing)
        rows = []
        for (survey, contact, call), token, ask, row in zip(
            asked, tokens, asks, planned, strict=True
        ):
            if row is None:
                continue  # the agency has no enabled rule that sends invitations on this channel
            own = dict(
                zip(_INVITATION_OWN, invitation(survey, contact, call, token, ask), strict=True)
            )
            own |= {
                "outbox": row.pk,
                "due_at": row.due_at,
                "expires_at": row.due_at + timedelta(days=settings.FEEDBACK_LINK_DAYS),
            }
            rows.append([own[name] for name in _INVITATION_FIELDS])
        if not rows:
            return
        # A concurrent batch that invited the same call first wins (the unique constraint),
        # as invite()'s savepoint let it: that call's officers are its. SQLite's INSERT
        # returns nothing here, so the rows are read back.
        bulk.insert(Invitation, _INVITATION_FIELDS, rows, ignore_conflicts=True)
        ours = dict(
            Invitation.objects.filter(token_hash__in=list(rostered)).values_list("token_hash", "pk")
        )
    items = [(hashed, rostered[hashed]) for hashed in rostered if hashed in ours]
    officers = roster.officer_ids_for([item for _, item in items])
    through = Invitation.officers.through
    bulk.insert(
        through,
        ["invitation", "officer"],
        [
            [ours[hashed], officer_id]
            for (hashed, _), ids in zip(items, officers, strict=True)
            for officer_id in ids
        ],
    )


def _contacts_of(calls: list[Call], ahead: dict[int, Contact] | None) -> dict[int, Contact]:
    """The callers' contacts, by id: those intake read before it locked the calls
    (`callers_ahead()`), the others read now. On PostgreSQL in SQL written once, so that the
    batch's held writes (calls/bulk.py) go with it in one round trip."""
    ids: set[int] = {c.caller_phone_id or c.caller_email_id for c in calls}  # type: ignore[misc]
    found = {pk: ahead[pk] for pk in ids if pk in ahead} if ahead else {}
    ids -= found.keys()
    if not ids:
        return found
    if connection.vendor != "postgresql":
        found.update(Contact.objects.in_bulk(ids))
        return found
    found.update(_contacts_from(bulk.fetch_pg(_CONTACTS_SQL, [list(ids)])))
    return found


def callers_ahead(
    contact_ids: set[int], clearing: list[tuple[int, str]]
) -> dict[int, Contact] | None:
    """Before intake locks any call (PostgreSQL; elsewhere None: read when inviting): the
    contacts inviting may need, so that reading them is not a round trip while the calls are
    locked. The batch's own callers (`contact_ids`) and the callers the calls of `clearing`
    ((agency, incident number)) have now: one read. A caller a call gets from a concurrent
    batch in between is read when inviting. Whether a contact is still the agency's and not
    purged is checked again when the invitations are written (_planned_sql())."""
    if connection.vendor != "postgresql" or not clearing:
        return None
    rows = bulk.fetch_pg(
        _CALLERS_SQL,
        [list(contact_ids), [a for a, _ in clearing], [n for _, n in clearing]],
    )
    return _contacts_from(rows)


def _contacts_from(rows: list[Any]) -> dict[int, Contact]:
    names = [f.attname for f in Contact._meta.concrete_fields]
    return {row[0]: Contact.from_db(connection.alias, names, row) for row in rows}


_CONTACTS_SQL = (
    f"SELECT {', '.join(str(f.column) for f in Contact._meta.concrete_fields)} "
    "FROM notify_contact WHERE id = ANY(%s)"
)
_CALLERS_SQL = (
    f"{_CONTACTS_SQL} OR id IN (SELECT unnest(ARRAY[k.caller_phone_id, k.caller_email_id]) "
    "FROM calls_call k JOIN unnest(%s::bigint[], %s::text[]) AS w(agency_id, number) "
    "ON k.agency_id = w.agency_id AND k.incident_number = w.number)"
)


_INVITATION_FIELDS = [
    "agency", "survey", "when", "call", "reference", "contact", "outbox", "token_hash",
    "language", "created", "due_at", "expires_at", "shift", "beat", "district", "call_type",
    "priority", "units", "call_taker",
]  # fmt: skip
# The values an invitation does not take from its outbox row (outbox, due_at, expires_at).
_INVITATION_OWN = [
    "agency", "survey", "when", "call", "reference", "contact", "token_hash", "language",
    "created", "shift", "beat", "district", "call_type", "priority", "units", "call_taker",
]  # fmt: skip


@functools.cache
def _planned_sql() -> str:
    """after_calls_cleared()'s statement on PostgreSQL. Its parameters: the asked calls' ids,
    ONE jsonb array of rows, each an outbox row (plan.OUTBOX_FIELDS) followed by the
    invitation's own values (_INVITATION_OWN), the asked contacts' ids, and
    FEEDBACK_LINK_DAYS. It returns (token hash, id) of each invitation
    it made. Step by step, as the set-based path of SQLite does in four statements:

    - `asked`: the rows whose contact is still the agency's and not purged, and whose call
      this survey has not invited yet (a replayed batch: it keeps its invitation and gets no
      second message). Intake holds the call's row lock, so no other batch can be inviting
      it at the same time;
    - `planned`: their outbox rows, a key planned before absorbed by the unique key (as
      plan.messages() does);
    - `outbox`: the rows just planned and the ones planned before (a statement does not see
      its own inserts, so the second half reads only what was there before it), as ONE
      jsonb object by key, which each asked row looks its key up in. Not a join: the planner
      expects one asked row from the jsonb array, so it joined them in a nested loop, first
      looking up every asked key again for each asked row (auto_explain, a batch of 1,000
      with 135 invitations: 18,225 index probes, 27 of the statement's 30 ms), then, with the
      rows materialized, still n² comparisons (~6 ms there, ~1,000 times more at 1,000);
    - the invitations, each pointing at its outbox row, due with it and expiring
      FEEDBACK_LINK_DAYS after; a call invited by a concurrent transaction first wins, as
      invite()'s savepoint let it (the unique key)."""
    qn = connection.ops.quote_name
    o_columns, o_values = bulk.json_columns(Outbox, plan.OUTBOX_FIELDS)
    i_columns, i_values = bulk.json_columns(Invitation, _INVITATION_OWN, len(plan.OUTBOX_FIELDS))
    o = dict(zip(plan.OUTBOX_FIELDS, o_values, strict=True))
    i = dict(zip(_INVITATION_OWN, i_values, strict=True))
    key = o["dedupe_key"]
    # `made` and the contacts are read by id (`= ANY` over an array parameter), once for
    # the statement: a per-row subquery let the planner pick the survey's index and scan
    # every invitation of the survey for each row (seen, on a table without statistics yet).
    when = qn("when")
    return (
        f"WITH made AS MATERIALIZED (SELECT survey_id, {when}, call_id, reference "
        "FROM feedback_invitation WHERE call_id = ANY(%s)), "
        f"asked AS MATERIALIZED (SELECT e.r, {key} AS k "
        "FROM jsonb_array_elements(%s::jsonb) AS e(r) "
        "JOIN (SELECT id, agency_id FROM notify_contact WHERE id = ANY(%s) "
        f"AND purged_at IS NULL) c ON c.id = {o['contact']} AND c.agency_id = {o['agency']} "
        "WHERE NOT EXISTS (SELECT 1 FROM made i "
        f"WHERE i.survey_id = {i['survey']} AND i.{when} = {i['when']} "
        f"AND i.call_id = {i['call']} AND i.reference = {i['reference']})), "
        f"planned AS (INSERT INTO notify_outbox ({', '.join(qn(c) for c in o_columns)}) "
        f"SELECT {', '.join(o_values)} FROM asked ON CONFLICT DO NOTHING "
        "RETURNING dedupe_key, id, due_at), "
        "outbox AS MATERIALIZED (SELECT jsonb_object_agg(dedupe_key, "
        "jsonb_build_array(id, due_at)) AS m "
        "FROM (SELECT dedupe_key, id, due_at FROM planned UNION ALL "
        "SELECT x.dedupe_key, x.id, x.due_at FROM notify_outbox x "
        "WHERE x.dedupe_key IN (SELECT k FROM asked)) o), "
        "found AS (SELECT asked.r, (outbox.m -> asked.k ->> 0)::bigint AS id, "
        "(outbox.m -> asked.k ->> 1)::timestamptz AS due_at FROM asked, outbox "
        "WHERE outbox.m ? asked.k) "
        f"INSERT INTO feedback_invitation ({', '.join(qn(c) for c in i_columns)}, "
        f"outbox_id, due_at, expires_at) SELECT {', '.join(i_values)}, o.id, o.due_at, "
        "o.due_at + make_interval(days => %s::int) "
        "FROM found o "
        "ON CONFLICT DO NOTHING RETURNING token_hash, id"
    )


def surveys_for(agency_ids: set[int], when: str) -> dict[int, Survey]:
    """`survey_for()` for many agencies: their defaults made where missing (one read when
    they all have them), then each one's first enabled survey for that moment, in one query."""
    have = set(
        FeedbackSettings.objects.filter(agency_id__in=agency_ids).values_list(
            "agency_id", flat=True
        )
    )
    for agency_id in sorted(agency_ids - have):
        defaults.ensure(agency_id)
    out: dict[int, Survey] = {}
    for survey in Survey.objects.filter(agency_id__in=agency_ids, when=when, enabled=True).order_by(
        "-id"
    ):
        out[survey.agency_id] = survey  # the lowest id wins, as in survey_for()
    return out


def _link() -> Callable[[str], str]:
    """The survey link for a token: reverse() worked out once per batch, not once per call.
    Tokens are URL-safe base64, which the URL keeps as it is."""
    marker = "TOKEN"
    path = reverse("feedback:survey", args=[marker])
    head, tail = path.rsplit(marker, 1)
    prefix = settings.SITE_URL + head
    return lambda token: f"{prefix}{token}{tail}"


def _context(url: str, number: str, now: datetime, agency: Agency) -> dict[str, str]:
    """The invitation's template fields."""
    return {
        "survey_url": url,
        "incident_number": number,
        "call_date": timezone.localtime(now, agency.tz).date().isoformat(),
    }


def _copied(call: Call) -> dict[str, Any]:
    """What an invitation copies from its call (so later changes to the call do not move the
    answers counted under it)."""
    return {
        "beat": call.beat,
        "district": call.district,
        "call_type": call.call_type.code if call.call_type else "",
        "priority": call.priority.code if call.priority else "",
        "units": [
            str(u.get("id")) for u in call.units or [] if isinstance(u, dict) and u.get("id")
        ],
        "call_taker": call.call_taker_id,
    }


def _known_relations(call: Call, agencies: dict[int, Agency], applied: Applied) -> None:
    """The call's agency, call type and priority, from what the batch already read, cached on
    the call as select_related would (only where not cached yet)."""
    for name, pk, known in (
        ("agency", call.agency_id, agencies),
        ("call_type", call.call_type_id, applied.call_types),
        ("priority", call.priority_id, applied.priorities),
    ):
        field = Call._meta.get_field(name)
        if field.is_cached(call):  # type: ignore[union-attr]
            continue
        if pk is None:
            field.set_cached_value(call, None)  # type: ignore[union-attr]
        elif pk in known:
            field.set_cached_value(call, known[pk])  # type: ignore[union-attr]


def after_call_cleared(call: Call) -> Invitation | None:
    contact_id = call.caller_phone_id or call.caller_email_id
    if contact_id is None:
        return None
    agency = call.agency
    survey = survey_for(agency, When.CALL_CLEARED)
    if survey is None:
        return None
    contact = Contact.objects.get(pk=contact_id)
    return invite(survey, contact, call=call, language=language_of(call.caller_language, agency))


def after_case_closed(case: Case) -> list[Invitation]:
    """Invite the people who hear about a case that just closed: its opted-in victims, the
    reporter among them, each once (by phone, else email). Called by cases.status.close() in
    the closing transaction; calling it again for the same case asks nobody twice.

    A domestic-violence case asks nobody, and neither does a case whose linked CAD call is
    excluded (sensitive or unmapped type, juvenile, do not contact)."""
    if case.domestic_violence:
        return []
    call = linked_call(case)
    if call is not None and plan.exclusion(call, call.call_type):
        return []
    survey = survey_for(case.agency, When.CASE_CLOSED)
    if survey is None:
        return []
    return _ask_victims(
        survey,
        case.victims.filter(opted_in=True),
        "case",
        case.number,
        lambda victim: language_of(victim.language, case.agency),
        # History linked to the case is fine to count under; it is not a reason to skip.
        call=call if call is not None and not call.historical else None,
    )


def after_online_report(report: Report) -> list[Invitation]:
    """Invite the person who filed an online report (the case's reporter). Called by
    reports.filing.file_report() in the filing transaction."""
    case = report.case
    survey = survey_for(report.agency, When.ONLINE_REPORT)
    if survey is None:
        return []
    return _ask_victims(
        survey,
        case.victims.filter(reporter=True, opted_in=True),
        "report",
        case.number,
        lambda victim: language_of(report.language or victim.language, report.agency),
    )


def _ask_victims(
    survey: Survey,
    victims: Any,
    kind: str,
    number: str,
    language: Callable[[Any], str],
    call: Call | None = None,
) -> list[Invitation]:
    """Invite each of a case's victims once, by phone, else email (none: not asked), under
    the reference "<kind>:<case number>:<victim>" that asks nobody twice."""
    made = []
    for victim in victims.select_related("phone", "email"):
        contact = victim.phone or victim.email
        if contact is None:
            continue
        invitation = invite(
            survey,
            contact,
            call=call,
            reference=f"{kind}:{number}:{victim.pk}",
            number=number,
            language=language(victim),
        )
        if invitation is not None:
            made.append(invitation)
    return made


def linked_call(case: Case) -> Call | None:
    """The latest CAD call linked to the case by incident number, if any."""
    numbers = case.incidents.values_list("incident_number", flat=True)
    return (
        Call.objects.filter(agency_id=case.agency_id, incident_number__in=numbers)
        .select_related("call_type", "priority", "agency")
        .order_by("-first_event_at")
        .first()
    )


def refusal(survey: Survey, call: Call | None) -> str:
    """Why this call gets no survey, or ""."""
    if call is None:
        return ""
    if call.historical:
        return "historical call"
    reason = plan.exclusion(call, call.call_type)
    if reason:
        return reason
    off = {str(c).strip().upper() for c in survey.call_types_off or []}
    if call.call_type is not None and call.call_type.code.upper() in off:
        return "survey switched off for this call type"
    return ""


def invite(
    survey: Survey,
    contact: Contact,
    *,
    call: Call | None = None,
    reference: str = "",
    language: str = "en",
    number: str = "",
    now: datetime | None = None,
) -> Invitation | None:
    """Plan one invitation, or None when nobody is to be asked (see the module docstring)."""
    agency = survey.agency
    if contact.agency_id != agency.pk or contact.purged_at is not None:
        return None
    if refusal(survey, call):
        return None
    subject = f"call:{call.pk}" if call is not None else f"ref:{reference}"
    if not sampled(survey, subject):
        return None
    found = Invitation.objects.filter(
        survey=survey, when=survey.when, call=call, reference=reference
    ).first()
    if found is not None:
        return found

    now = now or timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    url = settings.SITE_URL + reverse("feedback:survey", args=[token])
    # The number the person knows the matter by: the case's, else the call's.
    number = number or (call.incident_number if call is not None else reference)
    row = plan.message(
        agency,
        contact,
        Trigger.SURVEY,
        dedupe=f"survey:{survey.pk}:{subject}"[:60],
        context=_context(url, number, now, agency),
        language=language,
        call=call,
        due=now + timedelta(hours=survey.delay_hours),
    )
    if row is None:
        return None  # the agency has no enabled rule that sends invitations on this channel

    shift, day = (None, now.date())
    if call is not None:
        shift, day = roster.shift_at(agency, call.received_at or call.first_event_at)
    invitation = Invitation(
        agency=agency,
        survey=survey,
        when=survey.when,
        call=call,
        reference=reference,
        contact=contact,
        outbox=row,
        token_hash=token_hash(token),
        language=language,
        created=now,
        due_at=row.due_at,
        expires_at=row.due_at + timedelta(days=settings.FEEDBACK_LINK_DAYS),
        shift=shift,
    )
    if call is not None:
        for name, value in _copied(call).items():
            setattr(invitation, name, value)
    try:
        with transaction.atomic():
            invitation.save(force_insert=True)
    except IntegrityError:
        return Invitation.objects.get(
            survey=survey, when=survey.when, call=call, reference=reference
        )
    if call is not None:
        invitation.officers.set(roster.officers_for(call, shift, day))
    return invitation
