"""What every delivery channel (SMS, email, the development inbox) looks like to the worker.

The worker hands a channel a Message and gets a Receipt back, or one of two errors that say
what to do next: PermanentError (stop, and mark the contact where the reason says so) or
TransientError (retry with backoff). Nothing else escapes a channel.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Message:
    """One outbox row, as much of it as a provider needs."""

    outbox_id: int
    to: str  # E.164 phone number or email address
    body: str
    subject: str = ""
    html: str = ""
    # Who it is from: a phone number or messaging service SID for SMS (the outbox row's
    # Sender); empty means the channel's configured default.
    sender: str = ""
    # Our callback URL with the outbox id in it: the provider's callbacks then name the row
    # even when a crash lost the provider id we were about to commit.
    status_callback: str | None = None
    # When the worker claimed the row (reconciliation only): the provider cannot have it from
    # before, so lookup() searches from then rather than over a fixed window.
    claimed_at: datetime | None = None


@dataclass(frozen=True)
class Receipt:
    provider_id: str
    status: str  # the provider's own word, e.g. Twilio's "queued" or "delivered"


class SendError(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code  # the provider's code ("21211") or ours ("timeout")
        self.reason = reason


class PermanentError(SendError):
    """Retrying cannot help. When `marks_contact` is set, the problem is the recipient
    (invalid, opted out, a landline) and the contact should be marked so we stop trying."""

    def __init__(self, code: str, reason: str, *, marks_contact: bool = False) -> None:
        super().__init__(code, reason)
        self.marks_contact = marks_contact


class TransientError(SendError):
    """Retry later with backoff.

    `maybe_sent` is True when the provider may have accepted the message before the failure
    (a read timeout, a dropped connection, a 5xx): the worker must reconcile with lookup()
    before sending again, or it risks a duplicate text.
    """

    def __init__(
        self,
        code: str,
        reason: str,
        *,
        retry_after: float | None = None,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(code, reason)
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


class Channel(ABC):
    name: str = ""
    # What a message with no sender of its own goes from (a number, or a Messaging Service
    # SID): the worker records it on the row when it claims it, for lookup().
    default_sender: str = ""

    @abstractmethod
    def send(self, message: Message) -> Receipt:
        """Hand the message to the provider; raise PermanentError or TransientError."""

    @abstractmethod
    def lookup(
        self, outbox_id: int, provider_id: str | None, *, message: Message | None = None
    ) -> Receipt | None:
        """Reconcile a row a crash left in `sending`: what the provider knows of it.

        None means the provider has no such message, so sending again cannot duplicate it.
        Without a provider id a channel needs `message` to search by recipient and content
        (and `message.sender`, what the row went from, as the worker recorded it). A provider
        that cannot answer raises TransientError: the row is held and asked about again later.
        """

    def line_type(self, address: str) -> str:
        """The kind of line ("mobile", "landline", "voip", …), or "" when this channel cannot
        tell. SMS channels with a lookup service override it; a landline cannot get texts."""
        return ""
