"""Feedback for the demo: shifts, beat supervisors, and a week of answered surveys on the demo's
history calls, so the measures page, the follow-ups and the commendations have something real
to show.

History never texts anyone (that is the rule intake keeps), so the demo asks its history's
callers itself: one invitation per sampled cleared call, marked delivered, with answers drawn
from a seeded generator and run through the same code a real answer goes through
(answers.submit: themes, follow-ups, commendations). Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.calls.models import Call, Status
from porchlight.feedback import answers, defaults, invite, roster
from porchlight.feedback.models import (
    About,
    BeatSupervisor,
    FollowUp,
    Invitation,
    Officer,
    Shift,
    Survey,
)
from porchlight.notify import pii
from porchlight.notify.models import Channel, Contact, Outbox, State, Trigger

SHIFTS = (
    ("Days", time(6), time(14)),
    ("Evenings", time(14), time(22)),
    ("Nights", time(22), time(6)),
)
ASKED = 160  # history calls asked
ANSWERED = 0.42  # share that answers

# What people write, by how it went (a few carry a phone number, which staff see hidden).
PRAISE = [
    "Officer was so kind to my mother and explained everything.",
    "Came quickly and was very professional. Thank you!",
    "Thank you for taking the time to listen to us.",
    "Gracias por su paciencia y por explicarnos todo.",
    "You made my kids feel safe again. Thank you.",
    "Very respectful and calm. We appreciate you.",
]
BETTER = [
    "It took almost two hours for anyone to come.",
    "Nobody told me what would happen next with my report.",
    "The dispatcher was rude and hung up on me.",
    "Nothing was done and the problem is still going on. Call me at 661-555-0117.",
    "Tardaron mucho en llegar y nadie me informó nada.",
    "Please call me back about the case, nobody has updated me.",
    "Officer seemed lazy and didn't want to write a report.",
]


def seed(agency: Agency, now: datetime | None = None) -> int:
    """Give the demo agency its feedback. Returns how many responses it made (0 when seeded)."""
    from porchlight.demo.staff import ensure_staff

    defaults.ensure(agency.pk)
    ensure_staff(agency)  # the demo admin supervises the beats and is one of the officers
    if Invitation.objects.filter(agency=agency).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(2026)
    with transaction.atomic():
        for name, starts, ends in SHIFTS:
            Shift.objects.get_or_create(
                agency=agency, name=name, defaults={"starts": starts, "ends": ends}
            )
        _supervisors(agency)
        survey = Survey.objects.filter(agency=agency, when="call_cleared").order_by("id").first()
        if survey is None:
            return 0
        made = 0
        calls = list(
            Call.objects.filter(agency=agency, status=Status.CLEARED, call_type__sensitive=False)
            .exclude(call_type__needs_mapping=True)
            .exclude(units=[])
            .select_related("call_type", "priority", "agency")
            .order_by("-cleared_at")[:ASKED]
        )
        for i, call in enumerate(calls):
            invitation = _invite(survey, call, i, now)
            if rng.random() < ANSWERED:
                _answer(invitation, rng)
                made += 1
        _officer_login(agency)
    return made


def _supervisors(agency: Agency) -> None:
    """The demo admin supervises every beat, so their follow-up list is full."""
    from django.contrib.auth import get_user_model

    from porchlight.demo.staff import USERNAME

    user = get_user_model().objects.filter(username=USERNAME).first()
    if user is None:
        return
    beats = Call.objects.filter(agency=agency).exclude(beat="").values_list("beat", flat=True)
    for beat in sorted(set(beats)):
        BeatSupervisor.objects.get_or_create(agency=agency, beat=beat, user=user)


def _invite(survey: Survey, call: Call, i: int, now: datetime) -> Invitation:
    address = f"+1661555{2000 + i:04d}"
    contact, _ = Contact.objects.get_or_create(
        agency=call.agency,
        channel=Channel.SMS,
        address_hash=pii.lookup_hash(address),
        defaults={"address_enc": pii.encrypt(address)},
    )
    sent = (call.cleared_at or now) + timedelta(hours=24)
    sent = min(sent, now - timedelta(minutes=5))
    row = Outbox.objects.create(
        agency=call.agency,
        contact=contact,
        channel=Channel.SMS,
        trigger=Trigger.SURVEY,
        call=call,
        dedupe_key=f"{contact.pk}:{Trigger.SURVEY}:survey:{survey.pk}:call:{call.pk}:sms",
        state=State.DELIVERED,
        priority=30,
        due_at=sent,
        sent_at=sent,
        delivered_at=sent,
        language="es" if i % 5 == 0 else "en",
        context={"incident_number": call.incident_number},
        created=sent,
        updated=sent,
    )
    shift, day = roster.shift_at(call.agency, call.received_at or call.first_event_at)
    invitation = Invitation.objects.create(
        agency=call.agency,
        survey=survey,
        when=survey.when,
        call=call,
        contact=contact,
        outbox=row,
        token_hash=invite.token_hash(secrets.token_urlsafe(invite.TOKEN_BYTES)),
        language=row.language,
        created=sent,
        due_at=sent,
        expires_at=sent + timedelta(days=7),
        beat=call.beat,
        district=call.district,
        call_type=call.call_type.code if call.call_type else "",
        priority=call.priority.code if call.priority else "",
        shift=shift,
        units=[str(u.get("id")) for u in call.units or [] if isinstance(u, dict)],
        call_taker=call.call_taker_id,
    )
    invitation.officers.set(roster.officers_for(call, shift, day))
    return invitation


def _answer(invitation: Invitation, rng: random.Random) -> None:
    questions = {q.about: q for q in invitation.survey.questions.all()}
    # Most people are content; some are not, and a few very unhappy.
    mood = rng.choices(["happy", "fine", "unhappy"], weights=[62, 25, 13])[0]
    low, high = {"happy": (4, 5), "fine": (3, 4), "unhappy": (1, 2)}[mood]
    data: dict[str, str] = {}

    def put(about: str, value: str) -> None:
        if about in questions:
            data[answers.field(questions[about])] = value

    for about in (About.CALL_TAKER, About.OFFICER, About.OVERALL, About.SAFETY):
        if about == About.OVERALL or rng.random() < 0.85:
            put(about, str(rng.randint(low, high)))
    if mood == "happy" and rng.random() < 0.45:
        put(About.TO_OFFICER, rng.choice(PRAISE))
    if mood != "happy" and rng.random() < 0.7:
        put(About.DIFFERENT, rng.choice(BETTER))
    if mood == "unhappy" and rng.random() < 0.5:
        put(About.CONTACT_ME, "yes")
    response = answers.submit(invitation, data, invitation.language)
    when = invitation.due_at + timedelta(hours=rng.randint(1, 20))
    response.started = response.submitted_at = min(when, timezone.now())
    response.save(update_fields=["started", "submitted_at"])
    FollowUp.objects.filter(response=response).update(created=response.submitted_at)


def _officer_login(agency: Agency) -> None:
    """The demo admin is also an officer, so "my commendations" has something to show."""
    from django.contrib.auth import get_user_model

    from porchlight.demo.staff import USERNAME

    user = get_user_model().objects.filter(username=USERNAME).first()
    best = (
        Officer.objects.filter(agency=agency, commendations__isnull=False, user__isnull=True)
        .order_by("id")
        .first()
    )
    if user is not None and best is not None and not Officer.objects.filter(user=user).exists():
        best.user = user
        best.save(update_fields=["user"])
