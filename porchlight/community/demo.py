"""The demo's neighbours: residents with places (one drawn as an area), posts with photos,
comments, a flagged post and a flagged comment in the queue, a removed post and a removed
comment whose appeals wait for a second moderator (the demo admin).

Idempotent: a second run finds the first resident and adds nothing. Residents sign in on
/n/bakersfield/signin/ with their email and DEMO_PASSWORD.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from porchlight.agencies.models import Agency, Role
from porchlight.audit.log import record
from porchlight.community import places
from porchlight.community.models import (
    Comment,
    Decision,
    Flag,
    Place,
    Post,
    PostMedia,
    Removal,
    Resident,
)
from porchlight.community.posting import public_point
from porchlight.demo.photos import demo_photo
from porchlight.geo import h3index
from porchlight.geo.models import Address

DEMO_PASSWORD = "porchlight-demo-neighbor"
MODERATOR = "demo-community"

# (email, first name or "", trusted, place name, address label, radius)
RESIDENTS = [
    ("maria@neighbors.example", "María", True, "Home", "1204 Truxtun Ave", 1.0),
    ("james@neighbors.example", "", True, "Home", "1900 Chester Ave", 0.5),
    ("lin@neighbors.example", "Lin", False, "Home", "1516 California Ave", 2.0),
    ("sam@neighbors.example", "", False, "Work", "2116 18th St", 1.0),
]

# (author index, category, title, body, photos, hours ago, status)
POSTS: list[tuple[int, str, str, str, int, int, str]] = [
    (
        0,
        "crime",
        "Car window smashed overnight",
        "Someone smashed the passenger window of my car on Truxtun between 1 and 3am and took a "
        "bag from the seat. Reported it online. Check your cars.",
        2,
        3,
        "published",
    ),
    (
        1,
        "safety",
        "Streetlight out at Chester and 19th",
        "The streetlight on the corner has been out for a week; the crosswalk is very dark.",
        1,
        8,
        "published",
    ),
    (
        2,
        "lost_pet",
        "Lost cat: grey tabby, answers to Mochi",
        "Mochi slipped out Tuesday evening near California Ave. Grey tabby, green collar.",
        1,
        20,
        "published",
    ),
    (
        0,
        "suspicious",
        "Someone trying car door handles",
        "Around 11pm a person walked down our block pulling on every car door handle, then left "
        "on a bike when a porch light came on.",
        0,
        26,
        "published",
    ),
    (
        1,
        "neighborly",
        "Free lemons on the porch",
        "Our tree went wild. A box of lemons is on the porch, help yourselves.",
        0,
        30,
        "published",
    ),
    (
        3,
        "unexpected",
        "Helicopter circling downtown",
        "Police helicopter circling low around 18th St for half an hour. Anyone know why?",
        0,
        5,
        "published",
    ),
    (
        2,
        "safety",
        "Fireworks sold from a van",
        "Guy selling fireworks out of a van, message me for prices.",
        0,
        40,
        "removed",
    ),
    (
        3,
        "crime",
        "Package taken from my porch",
        "A package was taken from my porch this afternoon between 2 and 4pm.",
        0,
        1,
        "pending",
    ),
]

COMMENTS = [
    (0, 1, "Same thing on 20th last week. I have a doorbell camera clip if it helps."),
    (0, 2, "Sorry! I'll keep an eye out on our street."),
    (2, 0, "Saw a grey cat near the park this morning, will look again."),
    (1, 2, "I reported it to the city too."),
]

# (post index, author index, text): a comment a moderator removed, whose author appealed.
REMOVED_COMMENT = (0, 3, "People around here are animals. Whoever did this should be beaten.")
COMMENT_APPEAL = "I was angry about the car. I take back the second part."
# (post index, author index, text, flagged by, reason, note): waiting in the queue.
FLAGGED_COMMENT = (
    5,
    2,
    "Probably the Hendersons' son at 2118 18th St again, he's always in trouble.",
    0,
    "private",
    "Names a family and gives their address.",
)

# A resident's place drawn as an area: María's daughter's school, a square drawn around an
# address. (resident index, place name, address at its centre, half-width in degrees)
DRAWN_PLACE = (0, "School", "1516 California Ave", 0.004)


def _moderator(agency: Agency) -> Any:
    """A community-relations officer who made the demo's removal (the demo admin, a
    different person, can decide the appeal)."""
    call_command(
        "createstaff",
        agency=agency.slug,
        username=MODERATOR,
        email=f"{MODERATOR}@{agency.slug}.example",
        role=Role.COMMUNITY,
        stdout=io.StringIO(),
    )
    return get_user_model().objects.get(username=MODERATOR)


def _address(agency: Agency, label: str) -> tuple[float, float]:
    found = Address.objects.filter(agency=agency, label__iexact=label).first()
    if found is None:  # the demo address table is seeded first; fall back to the city centre
        return 35.3733, -119.0187
    return found.lat, found.lon


def seed(agency: Agency) -> int:
    """Returns how many posts it made (0 when the demo already has its residents)."""
    if Resident.objects.filter(agency=agency, user__email=RESIDENTS[0][0]).exists():
        return 0
    moderator = _moderator(agency)
    now = timezone.now()
    with transaction.atomic():
        residents = []
        for email, first_name, trusted, place_name, label, miles in RESIDENTS:
            user = get_user_model().objects.create_user(
                username=email, email=email, password=DEMO_PASSWORD
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            resident = Resident.objects.create(
                user=user,
                agency=agency,
                first_name=first_name,
                trusted=trusted,
                created=now - timedelta(days=30),
            )
            lat, lon = _address(agency, label)
            Place.objects.create(
                resident=resident,
                agency=agency,
                name=place_name,
                address=label,
                lat=lat,
                lon=lon,
                h3=h3index.cell(lat, lon),
                radius_miles=miles,
            )
            residents.append(resident)
        posts = []
        for n, (who, category, title, body, photos, hours, status) in enumerate(POSTS):
            author = residents[who]
            place = author.places.first()
            assert place is not None
            # A little north-east of the author's place, so posts do not stack on homes.
            lat, lon = place.lat + 0.0012 * (n % 3), place.lon + 0.0015 * (n % 2)
            shown_lat, shown_lon = public_point(lat, lon, exact=False)
            post = Post.objects.create(
                agency=agency,
                author=author,
                category=category,
                title=title,
                body=body,
                lat=lat,
                lon=lon,
                h3=h3index.cell(lat, lon),
                shown_lat=shown_lat,
                shown_lon=shown_lon,
                status=status,
                created=now - timedelta(hours=hours),
            )
            for i in range(photos):
                PostMedia.objects.create(
                    post=post, media=demo_photo(100 + n * 4 + i, lat, lon), position=i
                )
            posts.append(post)
        for post_n, who, body in COMMENTS:
            Comment.objects.create(
                post=posts[post_n],
                author=residents[who],
                body=body,
                created=posts[post_n].created + timedelta(minutes=40 + who),
            )
        # A neighbour flags the fireworks post; a moderator removes it; its author appeals.
        removed = posts[6]
        Flag.objects.create(post=removed, resident=residents[1], reason=Flag.Reason.SPAM)
        removal = Removal.objects.create(
            post=removed,
            agency=agency,
            category=removed.category,
            rule="spam",
            reason="Selling is not allowed here, and selling fireworks is illegal in Bakersfield.",
            moderator=moderator,
            created=now - timedelta(hours=38),
            appeal="I was warning people about the van, not selling.",
            appealed=now - timedelta(hours=30),
        )
        Decision.objects.create(
            post=removed,
            agency=agency,
            action=Decision.Action.REMOVED,
            moderator=moderator,
            note="spam: selling",
            created=removal.created,
        )
        # A flag waiting on a published post, so the queue shows one.
        Flag.objects.create(
            post=posts[5],
            resident=residents[2],
            reason=Flag.Reason.FALSE,
            note="This is a rumour, nobody knows why.",
        )
        record(
            "community.post.remove",
            actor=moderator,
            agency=agency,
            target=removed,
            changes={"rule": "spam", "removal": removal.pk, "demo": True},
        )
        _drawn_place(agency, residents)
        _removed_comment(agency, residents, posts, moderator, now)
        _flagged_comment(residents, posts)
    return len(posts)


def _drawn_place(agency: Agency, residents: list[Resident]) -> Place:
    """A place drawn as an area, checked by the same code as the Add a place form."""
    who, name, label, half = DRAWN_PLACE
    lat, lon = _address(agency, label)
    square = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    area, lat0, lon0, miles = places.clean_area({"type": "Polygon", "coordinates": [square]})
    return Place.objects.create(
        resident=residents[who],
        agency=agency,
        name=name,
        lat=lat0,
        lon=lon0,
        h3=h3index.cell(lat0, lon0),
        radius_miles=miles,
        area=area,
    )


def _removed_comment(
    agency: Agency, residents: list[Resident], posts: list[Post], moderator: Any, now: Any
) -> Removal:
    """A comment taken down for harassment; its author appealed and the demo admin decides."""
    post_n, who, body = REMOVED_COMMENT
    post = posts[post_n]
    removed_at = post.created + timedelta(minutes=90)
    comment = Comment.objects.create(
        post=post,
        author=residents[who],
        body=body,
        created=post.created + timedelta(minutes=55),
        removed=removed_at,
    )
    removal = Removal.objects.create(
        comment=comment,
        agency=agency,
        category=post.category,
        rule="harassment",
        reason="Calls for violence against a person are not allowed.",
        moderator=moderator,
        created=removed_at,
        appeal=COMMENT_APPEAL,
        appealed=now - timedelta(minutes=30),
    )
    Decision.objects.create(
        post=post,
        agency=agency,
        action=Decision.Action.COMMENT_REMOVED,
        moderator=moderator,
        note="harassment: calls for violence",
        created=removal.created,
    )
    record(
        "community.comment.remove",
        actor=moderator,
        agency=agency,
        target=comment,
        changes={"rule": "harassment", "removal": removal.pk, "post": post.pk, "demo": True},
    )
    return removal


def _flagged_comment(residents: list[Resident], posts: list[Post]) -> Flag:
    post_n, who, body, flagger, reason, note = FLAGGED_COMMENT
    post = posts[post_n]
    comment = Comment.objects.create(
        post=post, author=residents[who], body=body, created=post.created + timedelta(minutes=20)
    )
    return Flag.objects.create(
        post=post, comment=comment, resident=residents[flagger], reason=reason, note=note
    )
