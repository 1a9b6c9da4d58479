"""What planning and inviting read per agency, read before intake locks any call, and cached
per process with the mapping token.

Each batch of more than one event needs, for its agencies, what `notify.plan.standing()` reads
(the enabled rules with the default sending number and merge window, the delivery settings)
and, when an event clears a call, what `feedback.invite.ready()` reads (the survey for a
cleared call, making the agency's defaults where missing, and the shifts): five reads, a fifth
of a batch of 100 (docs/performance.md, fourth pass). They change when staff change them,
which is rare, so they are kept per process, checked against the token of
`calls_mappingversion` that `codebook.for_agency()` has already read in the batch's
transaction: no read at all for a batch whose agencies' entries are current.

The token covers these tables through triggers (migration 0010, the same function as the
mapping tables' in 0008), so the reasoning of calls/codebook.py holds, with one addition:
loading can write (inviting makes an agency's default survey and rules the first time), and
those writes change the token inside the batch's own transaction. An entry is kept only when
the token read after loading is the one read before it (`codebook.versions()`, one read, on a
miss only): a change committed by anyone between the two, or made by the batch itself, leaves
nothing in the cache, and the next batch loads again. So an entry tagged with a token always
holds what the tables held whenever that token was current, and a token from a transaction
that rolled back is never issued again.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

from porchlight.agencies.models import Agency
from porchlight.calls import codebook
from porchlight.feedback import invite
from porchlight.feedback.models import Shift, Survey
from porchlight.notify import plan, rules
from porchlight.notify.models import DeliverySettings, Rule


@dataclass(frozen=True)
class _Entry:
    """One agency's reads as of `version`. Read only: shared by every batch of the process."""

    version: int
    rules: tuple[Rule, ...]  # enabled, annotated and ordered as RuleBook.load() reads them
    policy: DeliverySettings | None
    # (the survey for a cleared call, the shifts); None until a batch cleared a call.
    clearing: tuple[Survey | None, tuple[Shift, ...]] | None


# codebook.key(agency id) -> entry; emptied by codebook.clear().
_CACHE: dict[tuple[str, int], _Entry] = {}
codebook.share(_CACHE)


def read(
    agencies: dict[int, Agency], versions: dict[int, int | None], *, clears: bool, load: bool
) -> tuple[plan.Standing | None, invite.Ready | None]:
    """The agencies' standing (and, when `clears`, what inviting reads), from the cache where
    the entry's token is `versions[agency]` (read in this transaction), else read now when
    `load`, else (None, None): the caller then reads lazily."""
    entries: dict[int, _Entry] = {}
    stale: dict[int, Agency] = {}
    for pk, agency in agencies.items():
        entry = _CACHE.get(codebook.key(pk))
        version = versions.get(pk)
        if (
            entry is not None
            and version is not None
            and entry.version == version
            and (entry.clearing is not None or not clears)
        ):
            entries[pk] = entry
        else:
            stale[pk] = agency
    if stale:
        if not load:
            return None, None
        entries.update(_load(stale, versions, clears=clears))
    ids = frozenset(agencies)
    standing = plan.Standing(
        ids,
        rules.RuleBook(chain.from_iterable(entries[pk].rules for pk in sorted(ids))),
        {pk: e.policy for pk, e in entries.items() if e.policy is not None},
    )
    if not clears:
        return standing, None
    surveys: dict[int, Survey] = {}
    shifts: dict[int, list[Shift]] = {}
    for pk, entry in entries.items():
        assert entry.clearing is not None
        survey, agency_shifts = entry.clearing
        if survey is not None:
            surveys[pk] = survey
        if agency_shifts:
            shifts[pk] = list(agency_shifts)
    return standing, invite.Ready(dict(agencies), surveys, shifts, standing)


def _load(
    agencies: dict[int, Agency], versions: dict[int, int | None], *, clears: bool
) -> dict[int, _Entry]:
    ids = set(agencies)
    # Inviting first: it makes an agency's default survey and its rule where missing, which
    # the rules read next must include.
    ready = invite.ready(agencies) if clears else None
    standing = plan.standing(ids)
    after = codebook.versions(ids) if codebook.cacheable() else {}
    out: dict[int, _Entry] = {}
    for pk in ids:
        clearing = None
        if ready is not None:
            clearing = (ready.surveys.get(pk), tuple(ready.shifts.get(pk, ())))
        before = versions.get(pk)
        entry = _Entry(
            before if before is not None else -1,
            tuple(standing.book.agency_rules(pk)),
            standing.policies.get(pk),
            clearing,
        )
        out[pk] = entry
        if before is not None and after.get(pk) == before:
            _CACHE[codebook.key(pk)] = entry
    return out
