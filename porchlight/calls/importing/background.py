"""The console import: an uploaded file, checked and mapped in the browser, run by the worker.

Why not django.tasks: the backport (django-tasks and its database backend) would add two
dependencies, a second worker process and its own tables for one kind of job. `porchlight
worker` already runs on every deploy and already has leases (notify/worker.py), and an import
is already resumable batch by batch (ImportRun), so a queued ConsoleImport row is the job and
the "import" lease makes sure one worker at a time runs it. A worker killed mid-import loses
at most its current batch: the lease runs out and the next worker resumes after the last
committed one (docs/architecture.md, "Console imports").
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import logging
import tempfile
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.audit.log import record
from porchlight.calls.importing.check import CheckReport, check_file
from porchlight.calls.importing.mapping import Mapping, MappingError
from porchlight.calls.importing.readers import JSONL_SUFFIXES, Unreadable, count_rows, inspect
from porchlight.calls.importing.run import run_import
from porchlight.calls.models import ConsoleImport
from porchlight.notify import pii
from porchlight.notify.worker import take_lease

log = logging.getLogger(__name__)

SUFFIXES = (".csv", *JSONL_SUFFIXES)
LEASE = "import"
LEASE_TTL = timedelta(minutes=2)
# The name ConsoleImport mappings are read under: the same JSON given to the command line as
# `--preset generic --mapping FILE` is the same import (ImportRun's preset key).
MAPPING_NAME = "generic"


class UploadError(ValueError):
    """The uploaded file cannot be imported; the message says why (shown with a 400)."""


def _max_bytes() -> int:
    return int(settings.IMPORT_UPLOAD_MAX_BYTES)


def receive(agency: Agency, upload: UploadedFile, user: Any) -> ConsoleImport:
    """Check an uploaded export and keep it (encrypted) for the map page; UploadError if unfit."""
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadError(
            _("%(name)s: only CSV (.csv) and JSON-lines (.jsonl, .ndjson) files can be imported")
            % {"name": name or "?"}
        )
    if upload.size is None or upload.size > _max_bytes():
        raise UploadError(
            _(
                "%(name)s is larger than the %(mb)s MB the console takes; import it with "
                "porchlight import instead"
            )
            % {"name": name, "mb": _max_bytes() // (1024 * 1024)}
        )
    data = upload.read()
    if not data.strip():
        raise UploadError(_("%(name)s is empty") % {"name": name})
    if b"\x00" in data[:65536]:
        raise UploadError(_("%(name)s is not a text file (it holds NUL bytes)") % {"name": name})
    jsonl = suffix in JSONL_SUFFIXES
    header: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        facts = inspect(path)
        text = data.decode("utf-8-sig" if facts.utf8 else "cp1252", errors="replace")
        if jsonl:
            first = next((line for line in text.splitlines() if line.strip()), "")
            try:
                if not isinstance(orjson.loads(first), dict):
                    raise UploadError(
                        _("%(name)s: the first line is not a JSON object") % {"name": name}
                    )
            except orjson.JSONDecodeError as exc:
                raise UploadError(
                    _("%(name)s: the first line is not JSON (%(error)s)")
                    % {"name": name, "error": exc}
                ) from None
        else:
            try:
                header = [h.strip() for h in next(csv.reader(io.StringIO(text)))]
            except (StopIteration, csv.Error) as exc:
                raise UploadError(
                    _("%(name)s: the header is not CSV (%(error)s)") % {"name": name, "error": exc}
                ) from None
            if len(header) < 2 or not all(header):
                raise UploadError(
                    _("%(name)s: the first line must be the header, one name per column")
                    % {"name": name}
                )
        rows = count_rows(path, facts.utf8)
    item = ConsoleImport.objects.create(
        agency=agency,
        file_name=name[:255],
        file_enc=pii.encrypt(base64.b64encode(data).decode()),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        rows=rows,
        jsonl=jsonl,
        header=header,
        created_by=user,
    )
    record(
        "import.upload",
        actor=user,
        agency=agency,
        target=item,
        changes={"file": item.file_name, "bytes": item.size, "rows": rows},
    )
    return item


def local_file(item: ConsoleImport) -> Path:
    """The upload as a file the readers can open (written once per process, private)."""
    suffix = Path(item.file_name).suffix.lower()
    folder = Path(tempfile.gettempdir()) / "porchlight-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{item.pk}-{item.sha256[:16]}{suffix}"
    if not path.exists():
        if item.file_enc is None:
            raise Unreadable(f"{item.file_name} is no longer kept")
        clear = pii.decrypt(item.file_enc) or ""
        part = path.with_suffix(path.suffix + ".part")
        part.write_bytes(base64.b64decode(clear))
        part.chmod(0o600)
        part.replace(path)
    return path


def forget_file(item: ConsoleImport) -> None:
    for path in (Path(tempfile.gettempdir()) / "porchlight-imports").glob(f"{item.pk}-*"):
        path.unlink(missing_ok=True)


def mapping_of(item: ConsoleImport, data: Any | None = None) -> Mapping | None:
    """The item's mapping (or `data`), read; None for JSON-lines. MappingError if unusable."""
    if item.jsonl:
        return None
    data = item.mapping if data is None else data
    if data is None:
        raise MappingError("choose the columns first")
    return Mapping.from_dict(MAPPING_NAME, data)


def preview(item: ConsoleImport, data: Any | None = None) -> CheckReport:
    """What `porchlight import --check` says of this file under this mapping; writes nothing."""
    mapping = mapping_of(item, data)
    return check_file(local_file(item), item.agency, mapping=mapping)


def queue(item: ConsoleImport, user: Any) -> None:
    """Hand the import to the worker. The mapping is read once more: a broken one never queues."""
    mapping_of(item)
    with transaction.atomic():
        updated = ConsoleImport.objects.filter(
            pk=item.pk, state__in=[ConsoleImport.State.UPLOADED, ConsoleImport.State.FAILED]
        ).update(state=ConsoleImport.State.QUEUED, error="", updated=timezone.now())
        if not updated:
            raise MappingError("this import is already queued or done")
        record(
            "import.queue",
            actor=user,
            agency=item.agency,
            target=item,
            changes={"file": item.file_name, "rows": item.rows, "mapping": item.mapping},
        )
    item.refresh_from_db()


def run_next(holder: str, stop: threading.Event | None = None) -> ConsoleImport | None:
    """Run the oldest queued console import to its end, under the "import" lease.

    Returns the import run (None when there was none, or another worker holds the lease). The
    lease is renewed before every batch; a worker that lost it, or is stopping (`stop`), stops
    after its batch, and the import resumes from there (the next worker, or this one again).
    """
    if not take_lease(LEASE, holder, LEASE_TTL):
        return None
    item = (
        ConsoleImport.objects.filter(
            state__in=[ConsoleImport.State.QUEUED, ConsoleImport.State.RUNNING]
        )
        .select_related("agency")
        .order_by("created", "id")
        .first()
    )
    if item is None:
        return None
    ConsoleImport.objects.filter(pk=item.pk).update(
        state=ConsoleImport.State.RUNNING, updated=timezone.now()
    )

    def renew(_batch: int) -> None:
        if stop is not None and stop.is_set():
            raise LostLease(holder)
        if not take_lease(LEASE, holder, LEASE_TTL):
            raise LostLease(holder)

    try:
        result = run_import(
            local_file(item),
            item.agency,
            mapping=mapping_of(item),
            before_batch=renew,
        )
    except LostLease:
        log.warning("import %s: stopped or lease lost; it resumes after its last batch", item.pk)
        return item
    except (Unreadable, MappingError) as exc:
        ConsoleImport.objects.filter(pk=item.pk).update(
            state=ConsoleImport.State.FAILED, error=str(exc)[:2000], updated=timezone.now()
        )
        record("import.fail", actor_label="worker", agency=item.agency, target=item,
               changes={"file": item.file_name, "error": str(exc)[:500]})  # fmt: skip
        return item
    run = result.run
    ConsoleImport.objects.filter(pk=item.pk).update(
        state=ConsoleImport.State.FINISHED,
        run=run,
        file_enc=None,  # the rows now live in calls and the quarantine; the file goes
        updated=timezone.now(),
    )
    forget_file(item)
    record(
        "import.finish",
        actor_label="worker",
        agency=item.agency,
        target=item,
        changes={
            "file": item.file_name,
            "run": run.pk if run else None,
            "rows": run.rows if run else 0,
            "bad_rows": run.bad_row_count if run else 0,
        },
    )
    return item


class LostLease(Exception):
    """Another worker took the import lease (this one stalled past its time-to-live), or this
    worker is stopping."""


def progress(item: ConsoleImport) -> tuple[int, int]:
    """(rows done, rows in the file): read from the import's ImportRun while it runs."""
    from porchlight.calls.models import ImportRun

    if item.run_id is not None:
        run = ImportRun.objects.filter(pk=item.run_id).first()
    elif item.state in (ConsoleImport.State.RUNNING, ConsoleImport.State.QUEUED):
        key = "jsonl" if item.jsonl else f"{MAPPING_NAME}:{mapping_of(item).digest[:12]}"  # type: ignore[union-attr]
        run = ImportRun.objects.filter(
            agency=item.agency, sha256=item.sha256, preset=key, source="import"
        ).first()
    else:
        run = None
    done = run.rows if run is not None else 0
    if item.state == ConsoleImport.State.FINISHED:
        done = item.rows
    return min(done, item.rows), item.rows


def loop(stop: threading.Event, holder: str, idle: float = 2.0) -> None:
    """The worker's import thread: runs queued console imports one after another."""
    while not stop.is_set():
        try:
            item = run_next(holder, stop)
        except Exception:  # noqa: BLE001 - a database blip must not end the worker
            log.exception("import thread %s: failed; retrying", holder)
            item = None
        finally:
            close_old_connections()
        if item is None:
            stop.wait(idle)
