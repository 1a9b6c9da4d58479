"""The send-time checks of a claimed batch, read set-based.

Everything that may have changed since a message was planned is read again for the whole batch
in one query per kind of fact (staff holds, delivery settings with the pause, opt-outs, what
each contact was sent lately), right before the batch goes; the worker then decides row by row
in memory (`Worker._reason_not_to_send`), in the same order and with the same reasons as
before. The rows themselves, with their calls and call types, are read fresh by the worker in
the same moment, so a call reclassified as sensitive just before sending is still caught.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q

from porchlight.notify import consent
from porchlight.notify.models import DeliverySettings, Hold, OptOut, Outbox


@dataclass
class Gate:
    policies: dict[int, DeliverySettings]
    held_contacts: set[int]
    held_calls: set[int]
    # (channel, address hash, sender key) of every opt-out among the batch's addresses.
    opt_outs: set[tuple[str, str, str]]
    # contact id → [sent in the last hour, sent in the last day], counting the batch's own
    # rows as they are let through (count()).
    sent: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def read(cls, rows: Sequence[Outbox], now: datetime) -> Gate:
        """The facts for these rows (loaded with their contact and sender): four queries at
        most, whatever the batch's size."""
        agencies = {r.agency_id for r in rows}
        policies = {s.agency_id: s for s in DeliverySettings.objects.filter(agency_id__in=agencies)}
        for agency_id in agencies - policies.keys():
            policies[agency_id] = DeliverySettings(agency_id=agency_id)

        contacts = {r.contact_id for r in rows}
        calls = {r.call_id for r in rows if r.call_id is not None}
        held_contacts: set[int] = set()
        held_calls: set[int] = set()
        for contact_id, call_id in Hold.objects.filter(
            Q(contact_id__in=contacts) | Q(call_id__in=calls), lifted_at__isnull=True
        ).values_list("contact_id", "call_id"):
            if contact_id is not None:
                held_contacts.add(contact_id)
            if call_id is not None:
                held_calls.add(call_id)

        hashes = {r.contact.address_hash for r in rows}
        opt_outs = set(
            OptOut.objects.filter(
                address_hash__in=hashes, channel__in={r.channel for r in rows}
            ).values_list("channel", "address_hash", "sender")
        )

        gate = cls(policies, held_contacts, held_calls, opt_outs)
        capped = {
            r.contact_id
            for r in rows
            if policies[r.agency_id].max_per_hour or policies[r.agency_id].max_per_day
        }
        if capped:
            hour_ago = now - timedelta(hours=1)
            recent = (
                Outbox.objects.filter(contact_id__in=capped, sent_at__gt=now - timedelta(days=1))
                .values("contact_id")
                .annotate(day=Count("id"), hour=Count("id", filter=Q(sent_at__gt=hour_ago)))
            )
            gate.sent = {r["contact_id"]: [r["hour"], r["day"]] for r in recent}
        return gate

    def policy(self, agency_id: int) -> DeliverySettings:
        return self.policies[agency_id]

    def held(self, row: Outbox) -> bool:
        return row.contact_id in self.held_contacts or (
            row.call_id is not None and row.call_id in self.held_calls
        )

    def opted_out(self, row: Outbox) -> bool:
        key = consent.sender_key(row.channel, row.sender)
        return (row.channel, row.contact.address_hash, key) in self.opt_outs

    def over_cap(self, row: Outbox) -> bool:
        """Whether the contact already got its share. A cap of 0 means no cap. Rows of one
        batch count against each other (count()); two workers sending to one contact at the
        same instant can each pass: the caps bound a noisy stream of updates, not a race."""
        policy = self.policies[row.agency_id]
        hour, day = self.sent.get(row.contact_id, (0, 0))
        return bool(
            (policy.max_per_hour and hour >= policy.max_per_hour)
            or (policy.max_per_day and day >= policy.max_per_day)
        )

    def count(self, row: Outbox) -> None:
        """The row is going: it counts toward its contact's caps for the rest of the batch."""
        counts = self.sent.setdefault(row.contact_id, [0, 0])
        counts[0] += 1
        counts[1] += 1
