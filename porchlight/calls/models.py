from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    PENDING = "pending", _("Pending")
    DISPATCHED = "dispatched", _("Dispatched")
    ENROUTE = "enroute", _("En route")
    ONSCENE = "onscene", _("On scene")
    CLEARED = "cleared", _("Cleared")
    CANCELLED = "cancelled", _("Cancelled")


# A call's status only moves forward along this order; cleared and cancelled are both final.
STATUS_RANK = {
    Status.RECEIVED: 0,
    Status.PENDING: 1,
    Status.DISPATCHED: 2,
    Status.ENROUTE: 3,
    Status.ONSCENE: 4,
    Status.CLEARED: 5,
    Status.CANCELLED: 5,
}
FINAL = frozenset({Status.CLEARED, Status.CANCELLED})
# The Call column that records when the call first reached each status.
STATUS_TIME_FIELD = {
    Status.RECEIVED: "received_at",
    Status.DISPATCHED: "dispatched_at",
    Status.ENROUTE: "enroute_at",
    Status.ONSCENE: "onscene_at",
    Status.CLEARED: "cleared_at",
    Status.CANCELLED: "cancelled_at",
}


class CallType(models.Model):
    """A CAD call-type code. Sensitive types never produce a text to anyone.

    A code first seen in a CAD event is created with needs_mapping set, treated as sensitive
    until staff review it.
    """

    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="call_types", verbose_name=_("agency")
    )
    # Real CAD call types run to 40-100 characters ("SUSPICIOUS PERSON, VEHICLE OR INCIDENT"),
    # and some exports have no code but the label: kept whole, shortened only on narrow pages.
    code = models.CharField(_("code"), max_length=200)
    description = models.CharField(_("description"), max_length=200, blank=True)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("No texts or emails to anyone, and hidden from public maps."),
    )
    needs_mapping = models.BooleanField(
        _("needs mapping"),
        default=False,
        help_text=_("Seen in a CAD event but not yet reviewed by staff."),
    )
    # The agency's sensitive term its label matched when it was first seen (calls/sensitive.py):
    # it then started out sensitive, and the console asks staff to confirm.
    sensitive_term = models.CharField(
        _("sensitive term"), max_length=100, blank=True, default="", db_default=""
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="call_type_unique")]
        ordering = ["agency_id", "code"]
        verbose_name = _("call type")
        verbose_name_plural = _("call types")

    def __str__(self) -> str:
        return f"{self.code} {self.description}".strip()

    @property
    def excluded(self) -> bool:
        return self.sensitive or self.needs_mapping


class Call(models.Model):
    """A call for service, as the CAD last told it. Built from the event log, status only forward."""

    # No index of its own: call_incident_unique (agency, incident_number) leads with it, and
    # every index entry is written again whenever a call changes (issue 9, the import).
    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="calls", db_index=False
    )
    incident_number = models.CharField(max_length=40)
    call_type = models.ForeignKey(CallType, models.PROTECT, null=True, blank=True)
    priority = models.ForeignKey("agencies.PriorityCode", models.PROTECT, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    # CAD time of the first event seen, whatever its status: when the call began for us.
    first_event_at = models.DateTimeField()
    last_event_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    enroute_at = models.DateTimeField(null=True, blank=True)
    onscene_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The export had no cleared time: cleared_at/cancelled_at is the last time the row gave, so
    # dashboards leave this call out of durations (calls/importing/mapping.py).
    cleared_time_unknown = models.BooleanField(default=False, db_default=False)
    disposition = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    beat = models.CharField(max_length=32, blank=True)
    district = models.CharField(max_length=32, blank=True)
    units = models.JSONField(default=list, blank=True)
    call_taker_id = models.CharField(max_length=64, blank=True)
    report_number = models.CharField(max_length=40, blank=True)
    caller_phone = models.ForeignKey(
        "notify.Contact", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    caller_email = models.ForeignKey(
        "notify.Contact", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    caller_language = models.CharField(max_length=8, blank=True)
    do_not_contact = models.BooleanField(default=False)
    juvenile = models.BooleanField(default=False)
    # Set when the call arrived with a call type or priority code the agency has not mapped.
    needs_mapping = models.BooleanField(default=False)
    # True when every event so far came from a history import: history never texts anyone.
    historical = models.BooleanField(default=False)
    # The import run that created the call, so `porchlight import --undo RUN` can remove it.
    import_run = models.ForeignKey(
        "ImportRun", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "incident_number"], name="call_incident_unique"
            )
        ]
        indexes = [
            models.Index(fields=["agency", "-first_event_at"], name="call_agency_recent"),
            models.Index(fields=["agency", "status"], name="call_agency_status"),
        ]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        return self.incident_number

    @property
    def is_final(self) -> bool:
        return self.status in FINAL


class Event(models.Model):
    """One CAD event as applied: the log that calls are built from and later consumers read.

    The id is the log's order of arrival; consumers (notifications, rollups) keep a cursor on
    it. The payload is the normalised event without the caller's phone or email: those live
    only in Contact, encrypted.
    """

    # Always the call's agency (every writer copies it from the call), so the database does not
    # check it again: that foreign key cost a lookup per event at commit, ~5 µs a row of a
    # history import (docs/performance.md, issue 9). No index of its own either:
    # event_source_id_unique (agency, source, event_id) leads with it. Django's delete of an
    # agency still cascades to its events (the ORM collects them, not the database).
    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    source = models.CharField(max_length=60)
    event_id = models.CharField(max_length=100)
    content_hash = models.CharField(max_length=64)
    # No index of its own: event_call_time (call, event_time) leads with it.
    call = models.ForeignKey(Call, models.CASCADE, related_name="events", db_index=False)
    status = models.CharField(max_length=16, choices=Status.choices)
    event_time = models.DateTimeField()
    arrived_at = models.DateTimeField(default=timezone.now)
    historical = models.BooleanField(default=False)
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source", "event_id"], name="event_source_id_unique"
            )
        ]
        indexes = [models.Index(fields=["call", "event_time"], name="event_call_time")]
        verbose_name = _("CAD event")
        verbose_name_plural = _("CAD events")

    def __str__(self) -> str:
        return f"{self.source}:{self.event_id}"


class Quarantine(models.Model):
    """An event that was not applied, kept whole (encrypted: it may hold a caller's number).

    Rejected events can be replayed once their mapping is fixed; conflicts (a known event id
    with different content) are recorded for the integrator to investigate.
    """

    class Kind(models.TextChoices):
        REJECTED = "rejected", _("Rejected")
        CONFLICT = "conflict", _("Conflict")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        REPLAYED = "replayed", _("Replayed")
        DISCARDED = "discarded", _("Discarded")

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="quarantine")
    source = models.CharField(max_length=60)
    event_id = models.CharField(max_length=100, blank=True)
    incident_number = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REJECTED)
    reason = models.TextField()
    raw_enc = models.BinaryField(editable=False)
    arrived_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)
    # From a history import: its run, its line, and the export row as read (encrypted), so a
    # corrected mapping re-applies the row itself, not the event the old mapping made of it.
    import_run = models.ForeignKey(
        "ImportRun", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    line = models.PositiveIntegerField(null=True, blank=True)
    row_enc = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-arrived_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "state", "-arrived_at"], name="quarantine_open"),
            # The per-feed hourly cap counts this hour's rows of one source.
            models.Index(fields=["source", "agency", "arrived_at"], name="quarantine_feed_hour"),
        ]
        verbose_name = _("quarantined event")
        verbose_name_plural = _("quarantine")

    def __str__(self) -> str:
        return f"{self.source}:{self.event_id or '?'} ({self.kind})"

    @property
    def raw(self) -> dict:
        import orjson

        from porchlight.notify import pii

        text = pii.decrypt(self.raw_enc)
        return orjson.loads(text) if text else {}


class QuarantineOverflow(models.Model):
    """Rejected events the quarantine did not keep: a count per feed, hour and reason.

    The quarantine keeps at most settings.QUARANTINE_MAX_PER_HOUR rows per feed (agency and
    source) an hour, so a fuzzer or a broken sender cannot bury the few real problems; the
    rest are counted here, shown in the console ("4,210 more like these were not kept") and
    in /metrics. The CAD still gets each event's reason in its answer.
    """

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    source = models.CharField(max_length=60)
    hour = models.DateTimeField()  # the start of the hour, UTC
    reason = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source", "hour", "reason"], name="quarantine_overflow_unique"
            )
        ]
        verbose_name = _("events not kept")
        verbose_name_plural = _("events not kept")

    def __str__(self) -> str:
        return f"{self.source} {self.hour:%Y-%m-%d %H}h: {self.count} not kept"


class ImportRun(models.Model):
    """One history import of one file: how far it got, so an interrupted run resumes.

    Keyed by the file's content (SHA-256), not its name: the same export renamed is the same
    import, and a re-exported file with other rows is a new one. `last_line` is the last
    physical line whose rows were committed together with this row's progress.
    """

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        UNDONE = "undone", _("Undone")

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    sha256 = models.CharField(max_length=64)
    # The preset name, with the mapping file's digest for `generic`: another mapping reads the
    # same file differently, so it is another import.
    preset = models.CharField(max_length=100)
    source = models.CharField(max_length=60)
    file_name = models.CharField(max_length=255)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    last_line = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    duplicate = models.PositiveIntegerField(default=0)
    conflict = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # Line numbers and reasons of bad rows, capped, so a finished run can say again what it rejected.
    bad_rows = models.JSONField(default=list, blank=True)
    bad_row_count = models.PositiveIntegerField(default=0)
    started = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "sha256", "preset", "source"], name="import_run_unique"
            )
        ]
        verbose_name = _("history import")
        verbose_name_plural = _("history imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.preset}, {self.state})"


class DropFile(models.Model):
    """A file taken from a drop folder, remembered by content so nothing is read twice."""

    class State(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    source = models.CharField(max_length=60)
    state = models.CharField(max_length=10, choices=State.choices)
    reason = models.TextField(blank=True)
    events = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    duplicate = models.PositiveIntegerField(default=0)
    conflict = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    received = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "sha256"], name="drop_file_unique")
        ]
        verbose_name = _("drop-folder file")
        verbose_name_plural = _("drop-folder files")

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"


class TrackLink(models.Model):
    """The public tracking link of one call (/t/<token>).

    The token is a bearer secret, so the database never holds it in the clear: `token_hash`
    (SHA-256; the token is 144 random bits, so no slow hash is needed) finds the link, and
    `token_enc` (AES-GCM, the PII key) lets a later text repeat the same link. Made only by
    `porchlight.calls.track` (make_links, when a new call's first text is planned; else link_for). Revoking is final for the call: no new link is issued.
    """

    call = models.OneToOneField(Call, models.CASCADE, related_name="track_link")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_enc = models.BinaryField(editable=False)
    created = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # SET_NULL, not CASCADE: deleting a staff account must never bring a revoked link back.
    # The audit log keeps who revoked it in any case.
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("tracking link")
        verbose_name_plural = _("tracking links")

    def __str__(self) -> str:
        return f"track link of call #{self.call_id}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class SavedMapping(models.Model):
    """A column mapping staff saved in the console import, to pick again next time.

    `mapping` is the JSON form docs/integrators-import.md describes (what `--mapping FILE`
    reads), so a mapping saved here can be exported for the command line and back.
    """

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField()
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="saved_mapping_unique")
        ]
        ordering = ["name"]
        verbose_name = _("saved import mapping")
        verbose_name_plural = _("saved import mappings")

    def __str__(self) -> str:
        return self.name


class ConsoleImport(models.Model):
    """A file uploaded in the console import, from upload to the background run.

    The file is kept encrypted (an export can hold callers' numbers) until the import ends;
    `porchlight worker` runs queued imports a batch at a time under the "import" lease
    (calls/importing/background.py), and the page reads the progress from the ImportRun.
    """

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    file_enc = models.BinaryField(null=True, editable=False)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)  # the total the progress bar counts to
    jsonl = models.BooleanField(default=False)
    header = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(null=True, blank=True)  # chosen on the map page
    state = models.CharField(max_length=10, choices=State.choices, default=State.UPLOADED)
    error = models.TextField(blank=True)
    run = models.ForeignKey(ImportRun, models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("console import")
        verbose_name_plural = _("console imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.state})"


class MappingVersion(models.Model):
    """A token that changes whenever an agency's mapping tables do (status codes, call types,
    priority codes), so a per-process cache of those tables knows when it is stale
    (calls/codebook.py). Since migration 0010 it also changes with what planning and inviting
    read per agency (rules, delivery settings, default sender, surveys, shifts), cached the
    same way by calls/ahead.py.

    Database triggers (migration 0008) write it in the same transaction as the change, whatever
    made it: the console, the admin, a management command or raw SQL. The token is never
    reused, even after a rollback (a sequence on PostgreSQL, a 64-bit random value on SQLite),
    so a cache filled from a change that rolled back can never match a later version. No
    foreign key: deleting an agency deletes its codes first, and their triggers write here.
    """

    agency_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        verbose_name = _("mapping version")
        verbose_name_plural = _("mapping versions")

    def __str__(self) -> str:
        return f"agency {self.agency_id}: {self.version}"
