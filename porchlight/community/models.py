"""Residents, their places, and what they post.

Privacy is in the shape of the data, not only in the views:
- a Resident is a user account joined to one agency's community; others see only
  `display_name` ("Neighbor", or a first name the resident chose);
- a Place's address and exact point belong to the resident alone; the agency's console and
  other residents never read them (alerts fan out by the point, never showing it);
- a Post keeps the point the poster gave (`lat`/`lon`, for radius queries) and a public point
  (`shown_lat`/`shown_lon`): the hundred-block-style offset of geo.blocks.generalize() unless
  the poster chose to show the exact one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.models import Agency
from porchlight.media.models import MediaFile

MIN_RADIUS_MILES = 0.25
MAX_RADIUS_MILES = 5.0


class Resident(models.Model):
    """A member of the public with a verified email, in one agency's community."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="residents")
    # Optional: shown instead of "Neighbor" when set. Never a surname (the form says so).
    first_name = models.CharField(_("first name (optional)"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    # New accounts are pre-moderated; a moderator marks an account trusted, after which its
    # posts publish at once and are moderated afterwards (moderation.py).
    trusted = models.BooleanField(_("trusted"), default=False)
    created = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return str(self.display_name)

    @property
    def display_name(self) -> str:
        return self.first_name.strip() or str(_("Neighbor"))

    @property
    def email(self) -> str:
        """For delivery only (alerts): never shown to the agency or other residents."""
        return str(self.user.email)


class Place(models.Model):
    """A point the resident cares about (home, work, a parent's house), with a radius."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="places")
    # The resident's agency, repeated so radius queries filter `agency, h3` on one index.
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="community_places")
    name = models.CharField(_("name"), max_length=60, help_text=_('For example "Home".'))
    # What the resident typed, when the point came from an address (empty for a pin). Private.
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    lat = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lon = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    h3 = models.BigIntegerField()
    radius_miles = models.FloatField(
        _("radius (miles)"),
        default=1.0,
        validators=[MinValueValidator(MIN_RADIUS_MILES), MaxValueValidator(MAX_RADIUS_MILES)],
    )
    # A drawn area instead of a circle: a GeoJSON Polygon (places.clean_area checks it). Then
    # lat/lon is the area's centre and radius_miles the circle around it that holds the whole
    # area, so every prefilter written for circles still finds the place; the exact test is
    # the polygon (places.py, feed.py, alerts/fanout.py).
    area = models.JSONField(_("drawn area"), null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        indexes = [
            models.Index(fields=["agency", "h3"], name="community_place_cells"),
            # places_covering(): a lat/lon box, since a 5-mile H3 disk is too many cells.
            models.Index(fields=["agency", "lat"], name="community_place_lat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(radius_miles__gte=MIN_RADIUS_MILES)
                & models.Q(radius_miles__lte=MAX_RADIUS_MILES),
                name="community_place_radius_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    class Category(models.TextChoices):
        CRIME = "crime", _("Crime")
        SAFETY = "safety", _("Safety")
        SUSPICIOUS = "suspicious", _("Suspicious")
        LOST_PET = "lost_pet", _("Lost pet")
        UNEXPECTED = "unexpected", _("Unexpected activity")
        NEIGHBORLY = "neighborly", _("Neighborly")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        PUBLISHED = "published", _("Published")
        REMOVED = "removed", _("Removed")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="community_posts")
    author = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="posts")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("details"), max_length=4000)
    # Where it happened, as the poster placed it: used for radius queries, never shown unless
    # `exact_location`.
    lat = models.FloatField()
    lon = models.FloatField()
    h3 = models.BigIntegerField()
    exact_location = models.BooleanField(_("show the exact location"), default=False)
    # What pages and maps show.
    shown_lat = models.FloatField()
    shown_lon = models.FloatField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    edited = models.DateTimeField(null=True, blank=True)
    # The author deleted it: hidden everywhere, kept while moderation records point at it.
    deleted = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(fields=["agency", "h3"], name="community_post_cells"),
            models.Index(fields=["agency", "lat"], name="community_post_lat"),
            models.Index(fields=["agency", "status", "created"], name="community_post_queue"),
            # The feed (feed.py): published posts in a place's cells, newest first.
            models.Index(
                fields=["agency", "h3", "-created"],
                condition=models.Q(status="published", deleted__isnull=True),
                name="community_post_feed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def visible(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.deleted is None


class PostMedia(models.Model):
    """Up to 4 photos and 1 video per post, in the order the poster added them."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    media = models.ForeignKey(MediaFile, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("post photo or video")
        verbose_name_plural = _("post photos and videos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"post {self.post_id} #{self.position}"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(_("comment"), max_length=2000)
    created = models.DateTimeField(default=timezone.now)
    removed = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"comment {self.pk} on post {self.post_id}"


class Flag(models.Model):
    class Reason(models.TextChoices):
        PROFILING = "profiling", _("Describes a person's appearance, not behaviour")
        HARASSMENT = "harassment", _("Harassment or threats")
        PRIVATE = "private", _("Shares someone's private information")
        EMERGENCY = "emergency", _("An emergency: needs 911, not a post")
        FALSE = "false", _("False or misleading")
        SPAM = "spam", _("Spam or selling")
        OTHER = "other", _("Something else")

    # The post flagged, or the post the flagged comment is under (so the queue, which lists
    # posts, finds a flagged comment through its post).
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    # Set when the flag is on a comment rather than on the post itself.
    comment = models.ForeignKey(
        "Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    # Who flagged it, so one resident flags a post (or a comment) once; cleared if their
    # account goes.
    resident = models.ForeignKey(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="flags"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.CharField(_("anything to add (optional)"), max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)
    resolved = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "resident"],
                condition=models.Q(comment__isnull=True),
                name="community_flag_once",
            ),
            models.UniqueConstraint(
                fields=["comment", "resident"],
                condition=models.Q(comment__isnull=False),
                name="community_flag_comment_once",
            ),
        ]

    def __str__(self) -> str:
        if self.comment_id is not None:
            return f"{self.reason} on comment {self.comment_id}"
        return f"{self.reason} on post {self.post_id}"


class Decision(models.Model):
    """One moderator action on a post: the history the queue shows."""

    class Action(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REMOVED = "removed", _("Removed")
        KEPT = "kept", _("Flags dismissed")
        APPEAL_UPHELD = "appeal_upheld", _("Appeal: removal upheld")
        APPEAL_REVERSED = "appeal_reversed", _("Appeal: post restored")
        COMMENT_REMOVED = "comment_removed", _("Comment removed")
        COMMENT_RESTORED = "comment_restored", _("Appeal: comment restored")
        COMMENT_KEPT = "comment_kept", _("Comment flags dismissed")

    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} on post {self.post_id}"


class Removal(models.Model):
    """A post or a comment taken down: the rule, the reason the author reads, and the appeal.

    A post's removal has `post`; a comment's has `comment` and no `post` (so nothing that acts
    on a removed post, such as restoring it on appeal, can touch the post a comment is under).
    Kept when the post, the comment or its author's account is deleted (set null), so the
    agency can always account for what it removed and why."""

    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="removals"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="removals"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=12, choices=Post.Category.choices)
    rule = models.CharField(_("rule"), max_length=20)
    reason = models.TextField(_("reason"), max_length=1000)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    appeal = models.TextField(_("appeal"), max_length=2000, blank=True)
    appealed = models.DateTimeField(null=True, blank=True)
    # Another moderator decides (never the one who removed it).
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    appeal_upheld = models.BooleanField(null=True, blank=True)
    appeal_note = models.CharField(max_length=500, blank=True)
    appeal_decided = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("removal")
        verbose_name_plural = _("removals")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        if self.comment_id is not None:
            return f"removal of comment {self.comment_id} ({self.rule})"
        return f"removal of post {self.post_id} ({self.rule})"

    @property
    def author_id(self) -> int | None:
        """The resident who may appeal: the removed post's or comment's author."""
        if self.comment is not None:
            return self.comment.author_id
        return self.post.author_id if self.post is not None else None

    @property
    def on_post(self) -> Post | None:
        """The post the removed thing is, or is under (for links back to it)."""
        return self.comment.post if self.comment is not None else self.post


class Lexicon(models.Model):
    """An agency's own word list for the profiling prompt (profiling.py), per language.

    Absent, the built-in lists apply. One term per line; a line "group: term" puts the term
    in a group (appearance, behaviour) — see profiling.parse_lexicon()."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    terms = models.TextField(_("terms"), blank=True)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("profiling word list")
        verbose_name_plural = _("profiling word lists")
        constraints = [
            models.UniqueConstraint(fields=["agency", "language"], name="community_lexicon_once")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.language}"
