"""The GeoJSON API's answers, kept for repeat views of the same neighborhood.

Residents of one neighborhood look at the same view: the map page asks for its area with a
window that starts on a whole minute (views.py), so their browsers ask the same URL. An
answer is kept under the normalised question (area, window as asked, categories, agency,
limit, language) and the map's **generation** (models.Generation), for at most the minute the
answer's own `Cache-Control: max-age=60` already allows any browser or proxy.

Privacy: a withdrawn incident must never be served from here. The generation changes in the
same transaction as every change to what the map may show (triggers, migration 0004), and
each request reads it first, with one indexed read, before looking for an answer. An answer is
only kept under the generation read *before* its rows were, so it is never older than its key.
Nothing is kept longer than 60 s, which also bounds what a restored backup (whose sequence
hands out tokens again) could meet: the restore takes longer than that.

The cache is Django's "publicmap" alias (settings.py): Redis when configured, else a small
per-process LRU (LocMemCache).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connections, router

from porchlight.publicmap.models import Generation

ALIAS = "publicmap"
# Larger answers (a limit of 5,000 in a busy box) are not kept: a few would fill the cache.
MAX_BYTES = 1_000_000

_GENERATION_SQL = f"SELECT value FROM {Generation._meta.db_table} WHERE id = 1"


@dataclass(frozen=True)
class Answer:
    body: bytes
    etag: str  # strong, quoted: names these bytes, whichever process made them


def generation() -> int | None:
    """The map's current generation; None without one (nothing may then be kept)."""
    with connections[router.db_for_read(Generation)].cursor() as cursor:
        cursor.execute(_GENERATION_SQL)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def key(generation: int, question: tuple[object, ...]) -> str:
    # The database's name too: two deployments sharing one Redis count generations apart.
    database = connections[router.db_for_read(Generation)].settings_dict["NAME"]
    text = repr((str(database), question)).encode()
    return f"answer:{generation}:{hashlib.blake2b(text, digest_size=16).hexdigest()}"


def cached(cache_key: str) -> Answer | None:
    found = caches[ALIAS].get(cache_key)
    return found if isinstance(found, Answer) else None


def keep(cache_key: str | None, body: bytes) -> Answer:
    """The answer for `body` (a fresh ETag), kept under `cache_key` when there is one."""
    answer = Answer(body, f'"{secrets.token_hex(12)}"')
    if cache_key is not None and len(body) <= MAX_BYTES:
        caches[ALIAS].set(cache_key, answer)
    return answer


def forget_all() -> None:
    """Empty this process's (or Redis's) answers: for tests that count a request's SQL."""
    caches[ALIAS].clear()


def matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match (RFC 9110 §13.1.2: weak comparison) names this answer."""
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in wanted or etag in wanted
