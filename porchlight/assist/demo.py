"""The demo's requests for assistance, through the same functions as the console: an approved
request near the demo residents with two shares (one taken into evidence) and a withdrawn one,
and a request waiting for approval, which the demo admin can approve. Seeded once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from porchlight.agencies.models import Agency, Role, Staff
from porchlight.assist import flow, sharing
from porchlight.assist.models import AssistanceRequest
from porchlight.cases.models import Case
from porchlight.community.models import Place
from porchlight.demo import photos
from porchlight.demo.staff import USERNAME as DEMO_ADMIN
from porchlight.demo.staff import ensure_staff
from porchlight.media.uploads import accept_image

DETECTIVE = "det.lopez"


def _detective(agency: Agency) -> Any:
    """A detective who asks (the demo admin, an agency admin, approves: never the asker)."""
    user, created = get_user_model().objects.get_or_create(
        username=DETECTIVE, defaults={"email": "det.lopez@bakersfield.example", "is_staff": True}
    )
    if created:
        user.set_unusable_password()  # the demo signs in as the admin only
        user.save(update_fields=["password"])
    Staff.objects.get_or_create(user=user, defaults={"agency": agency, "role": Role.DETECTIVE})
    return user


def _case(agency: Agency) -> Case:
    case, _ = Case.objects.get_or_create(
        agency=agency, number="BPD26-004388",
        defaults={"source": "rms", "offense": "Burglary, residence", "offense_code": "220"},
    )  # fmt: skip
    return case


def seed(agency: Agency) -> int:
    """Returns how many requests it made (0 when the demo has them already)."""
    if AssistanceRequest.objects.filter(agency=agency).exists():
        return 0
    places = list(Place.objects.filter(agency=agency).select_related("resident__user")[:200])
    if not places:
        return 0
    ensure_staff(agency)  # the demo admin approves (feedback's demo made it already)
    approver = get_user_model().objects.get(username=DEMO_ADMIN)
    asker = _detective(agency)
    case = _case(agency)
    now = timezone.now()
    # Centred on the first demo place, so the demo's residents there are told.
    centre = (places[0].lat, places[0].lon)
    common = {
        "case_number": case.number, "contact_name": "Det. M. Lopez",
        "contact_phone": "661-326-3800", "contact_email": "detectives@bakersfield.example",
        "neighborhood": "Downtown", "actor": asker,
    }  # fmt: skip
    sent = flow.create(
        agency, center=centre, radius_m=600,
        window_start=now - timedelta(days=2, hours=5), window_end=now - timedelta(days=2),
        incident_type="Residential burglary",
        description="A home was broken into overnight. We ask for doorbell or driveway camera "
        "footage of people or vehicles on the street between 1 and 6 AM.",
        expires_at=now + timedelta(days=14), **common,
    )  # fmt: skip
    flow.submit(sent, actor=asker)
    flow.approve(sent, actor=approver)
    sent.refresh_from_db()
    nearby = [p.resident for p in places if p.resident.agency_id == agency.pk][:3]
    made = []
    for n, resident in enumerate(dict.fromkeys(nearby)):
        lat, lon = centre
        made.append(
            sharing.share(
                sent, resident,
                [accept_image(SimpleUploadedFile(f"IMG_{n}.JPG", photos.scene(4100 + n, lat, lon)))],
                note=["Driveway camera, 2:40 AM: a grey sedan.", "Porch camera.",
                      "Side gate camera."][n],
                consent_contact=n == 0, phone="661-555-0142" if n == 0 else "",
            )
        )  # fmt: skip
    if made:
        sharing.take_into_evidence(made[0], actor=asker)
    if len(made) > 2:
        sharing.withdraw(made[2], made[2].resident)  # type: ignore[arg-type]
    pending = flow.create(
        agency, center=centre, radius_m=300,
        window_start=now - timedelta(hours=10), window_end=now - timedelta(hours=6),
        incident_type="Vehicle tampering",
        description="Cars were tried along the block last night. Footage of anyone checking "
        "car doors between 11 PM and 3 AM would help.",
        expires_at=now + timedelta(days=7), **common,
    )  # fmt: skip
    flow.submit(pending, actor=asker)
    return 2
