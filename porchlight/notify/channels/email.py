"""Email through Django's email API: SMTP by default, any django-anymail provider as an option.

Each message goes as multipart text and HTML. The HTML is built from the text when the worker
gives none: escaped, links made clickable, paragraphs, in a plain accessible layout, with the
"not monitored, call 911" line and the unsubscribe link in the footer. Every message carries
RFC 8058 one-click unsubscribe headers (notify/unsubscribe.py) and a Message-ID made from the
outbox id, which is also its provider id (with anymail, the provider's own message id, which
its webhooks report; notify/bounces.py).

Settings (docs/operators.md): EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / EMAIL_USE_SSL, EMAIL_TIMEOUT, DEFAULT_FROM_EMAIL, and
ANYMAIL_* for a provider.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING, Any

import requests
from anymail.exceptions import (
    AnymailError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailRequestsAPIError,
)
from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends import smtp
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from urllib3.exceptions import ConnectTimeoutError

from porchlight.notify import unsubscribe
from porchlight.notify.models import Outbox

from .base import Channel, Message, PermanentError, Receipt, SendError, TransientError

if TYPE_CHECKING:
    from typing_extensions import Buffer

log = logging.getLogger(__name__)

DJANGO_SMTP = "django.core.mail.backends.smtp.EmailBackend"
# An SMTP enhanced status code ("5.1.1") at the start of a reply (RFC 3463).
_ENHANCED = re.compile(rb"^\s*([245])\.(\d{1,3})\.(\d{1,3})")


# --- SMTP that knows whether the message went out --------------------------------------------


class _DataTracking(smtplib.SMTP):
    """Notes when the message data, ending in CRLF.CRLF, starts going to the server.

    From then on the server may accept the message even if its answer never reaches us, so
    a dropped connection means "maybe sent"; before it, the server cannot have the message
    (it only takes one after the final dot), so a retry cannot duplicate it.
    """

    data_started = False

    def send(self, s: Buffer | str) -> None:
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            # Set before sending: a failure halfway may still have delivered every byte.
            self.data_started = True
        super().send(s)


class _TrackingSMTP(_DataTracking):
    pass


class _TrackingSMTPSSL(_DataTracking, smtplib.SMTP_SSL):
    pass


class SmtpBackend(smtp.EmailBackend):
    """Django's SMTP backend, over an SMTP connection that tracks the DATA phase (above)."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return _TrackingSMTPSSL if self.use_ssl else _TrackingSMTP

    def data_started(self) -> bool:
        return bool(getattr(self.connection, "data_started", False))


# --- The channel -----------------------------------------------------------------------------


class EmailChannel(Channel):
    name = "email"

    def __init__(self, backend: str | None = None) -> None:
        configured = backend or settings.EMAIL_BACKEND
        # Django's own SMTP backend is used through the subclass above, which can tell a drop
        # after the message went (maybe sent) from one before it (safe to retry).
        self.backend = (
            "porchlight.notify.channels.email.SmtpBackend"
            if configured == DJANGO_SMTP
            else configured
        )

    def send(self, message: Message) -> Receipt:
        row = Outbox.objects.select_related("agency", "call").filter(pk=message.outbox_id).first()
        if row is None:
            raise PermanentError("no_row", f"outbox {message.outbox_id} does not exist")
        email = build(message, row)
        message_id = str(email.extra_headers["Message-ID"]).strip("<>")
        connection: Any = get_connection(self.backend, fail_silently=False)
        if isinstance(connection, SmtpBackend):
            self._send_smtp(connection, email)
        else:
            try:
                connection.send_messages([email])
            except AnymailError as exc:
                raise _anymail_error(exc, email) from exc
        # With anymail, the provider's own id: its webhooks name the message by it. Stored
        # without angle brackets, as webhooks report Message-ID-like ids (Mailgun's) without.
        provider_id = email.anymail_status.message_id
        if not isinstance(provider_id, str) or not provider_id:
            provider_id = message_id
        return Receipt(provider_id=provider_key(provider_id), status="sent")

    def _send_smtp(self, connection: SmtpBackend, email: AnymailMessage) -> None:
        # One connection per message: simple and thread-safe for the worker's send threads;
        # a mail server takes a few hundred connections a second, far more than the email
        # share of the outbox needs.
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as exc:
            raise _connect_error(exc) from exc
        try:
            connection.send_messages([email])
        except (OSError, smtplib.SMTPException) as exc:
            raise _smtp_error(exc, maybe_sent=connection.data_started()) from exc
        except ValueError as exc:
            # Django refuses an address it cannot write into a header before sending anything.
            raise PermanentError("invalid", "invalid_address", marks_contact=True) from exc
        finally:
            try:
                connection.close()
            except OSError:
                # A failed QUIT changes nothing about the message, sent or not.
                log.info(
                    "outbox %s: the mail server dropped the connection at QUIT",
                    email.metadata.get("outbox_id"),
                )

    def lookup(
        self, outbox_id: int, provider_id: str | None, *, message: Message | None = None
    ) -> Receipt | None:
        """SMTP cannot be asked whether it took a message, so a row a crash left `sending`
        is sent again (None) unless a provider webhook already recorded its id.

        That makes the duplicate window the time between the server's "250 OK" and our
        commit (milliseconds). The resent message has the same Message-ID, made from the
        outbox id, and mailbox providers that collapse messages by Message-ID (Gmail does)
        show the two as one.
        """
        if provider_id:
            return Receipt(provider_id=provider_id, status="sent")
        return None


# --- Building the message --------------------------------------------------------------------


def provider_key(message_id: str) -> str:
    """A message id as the outbox stores it, and as bounces.py looks it up: without angle
    brackets, and whole. Real ids fit the column (255): a Message-ID with a long domain is
    about 100 characters, SES, Postmark, Mailgun and SendGrid ids are shorter. Cutting them
    would make two messages that share a long prefix one (a bounce failing the wrong row), so
    an id past the column is stored as its SHA-256 instead: still unique, still found, and
    never refused by the database (a refused id would leave a sent row `sending`, to be
    sent again)."""
    key = message_id.strip().strip("<>")
    limit = Outbox._meta.get_field("provider_id").max_length or 255
    if len(key) > limit:
        return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def message_id_for(outbox_id: int) -> str:
    """A Message-ID naming the outbox row, stable across resends (see lookup()), with a keyed
    digest so two deployments sending from one domain never collide."""
    digest = salted_hmac("porchlight.notify.email.message-id", str(outbox_id)).hexdigest()[:16]
    return f"<outbox-{outbox_id}.{digest}@{_domain()}>"


def _domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or str(DNS_NAME)


def html_from_text(text: str) -> SafeString:
    """The text as HTML: escaped, links clickable, blank lines paragraphs, newlines breaks."""
    return mark_safe(linebreaks(urlize(text.strip(), autoescape=True)))


def build(message: Message, row: Outbox) -> AnymailMessage:
    agency = row.agency
    language = unsubscribe.language_of(row)
    link = unsubscribe.url_for(message.outbox_id)
    with translation.override(language):
        subject = message.subject.strip() or _subject(row)
        context = {
            "agency": agency.name,
            "phone": agency.non_emergency_number,
            "unsubscribe_url": link,
            "subject": subject,
            "language": language,
            "body": message.body.strip(),
            # The worker's HTML is a fragment made by our own templates (texts.compose);
            # it goes inside this layout so the footer is always there.
            "content": mark_safe(message.html) if message.html else html_from_text(message.body),
        }
        text = render_to_string("notify/email/message.txt", context)
        html = render_to_string("notify/email/message.html", context)
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    email = AnymailMessage(
        subject=" ".join(subject.split()),  # a header: no line breaks
        body=text,
        from_email=formataddr((agency.name, sender)),
        to=[message.to],
        headers={
            "Message-ID": message_id_for(message.outbox_id),
            # RFC 8058 one-click unsubscribe (mailbox providers show an "Unsubscribe" button).
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: automatic mail, so out-of-office replies are not sent back to it.
            "Auto-Submitted": "auto-generated",
        },
        # Providers return it in their webhooks: a bounce then names the row even when a
        # crash lost the provider id we were about to commit.
        metadata={"outbox_id": str(message.outbox_id)},
    )
    email.attach_alternative(html, "text/html")
    return email


def _subject(row: Outbox) -> str:
    if row.call is not None:
        return _("%(agency)s: an update on incident %(number)s") % {
            "agency": row.agency.name,
            "number": row.call.incident_number,
        }
    return _("An update from %(agency)s") % {"agency": row.agency.name}


# --- What went wrong -------------------------------------------------------------------------


def _connect_error(exc: Exception) -> TransientError:
    """Before any message data went: nothing can have been sent, so a plain retry is safe."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TransientError(str(exc.smtp_code), "smtp_authentication_failed")
    if isinstance(exc, smtplib.SMTPResponseException):  # e.g. a 421 greeting
        return TransientError(str(exc.smtp_code), "smtp_unavailable")
    if isinstance(exc, ssl.SSLError | smtplib.SMTPNotSupportedError):
        return TransientError("tls_error", "smtp_tls_failed")
    if isinstance(exc, TimeoutError):
        return TransientError("connect_timeout", "mail server not reached in time")
    return TransientError("connection_refused", "mail server not reachable")


def _smtp_error(exc: Exception, *, maybe_sent: bool) -> SendError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b""))
        return _refusal(code, text)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        # Our From address was refused: our configuration, not the message; kept for a retry
        # until an operator fixes it (the worker's attempt limit dead-letters it eventually).
        return TransientError(str(exc.smtp_code), "sender_refused")
    if isinstance(exc, smtplib.SMTPResponseException):
        # A definite answer at DATA or after it (SMTPDataError and the like): not accepted.
        return _refusal(exc.smtp_code, exc.smtp_error)
    # A dropped connection or a timeout, with no answer.
    if maybe_sent:
        return TransientError("connection_lost", "no answer after the message", maybe_sent=True)
    return TransientError("connection_lost", "mail server hung up before the message")


def _refusal(code: int, text: bytes | str) -> SendError:
    """What a mail server's refusal means: 4xx try again; 5xx about the address marks the
    contact; other 5xx fail this message only."""
    raw = text.encode() if isinstance(text, str) else text
    label = str(code)
    if 400 <= code < 500:
        return TransientError(label, "smtp_temporary_failure")
    enhanced = _ENHANCED.match(raw or b"")
    subject, detail = (int(enhanced[2]), int(enhanced[3])) if enhanced else (None, None)
    if subject == 1 and detail == 3 or (enhanced is None and code in (501, 553)):
        return PermanentError(label, "invalid_address", marks_contact=True)
    if subject == 1 or (subject, detail) == (2, 1) or (enhanced is None and code in (550, 551)):
        # 5.1.x: no such mailbox or domain; 5.2.1: mailbox disabled.
        return PermanentError(label, "hard_bounce", marks_contact=True)
    if (subject, detail) == (2, 2) or (enhanced is None and code == 552):
        return PermanentError(label, "mailbox_full")
    # Policy (5.7.x: spam, relaying), size, and the rest: this message, not the address.
    return PermanentError(label, "rejected_by_mail_server")


# Provider HTTP statuses: a 5xx may come after the provider accepted the message (as for SMS).
_MAYBE_SENT_STATUSES = {500, 502, 504}
_TRANSIENT_STATUSES = {401, 403, 404, 408, 409, 429}


def _anymail_error(exc: AnymailError, email: AnymailMessage) -> SendError:
    if isinstance(exc, AnymailRecipientsRefused):
        statuses = {status.status for status in email.anymail_status.recipients.values()}
        if "invalid" in statuses:
            return PermanentError("invalid", "invalid_address", marks_contact=True)
        # The provider's suppression list: the address bounced or complained before.
        return PermanentError("rejected", "suppressed_by_provider", marks_contact=True)
    if isinstance(exc, AnymailInvalidAddress):
        return PermanentError("invalid", "invalid_address", marks_contact=True)
    if isinstance(exc, AnymailRequestsAPIError):
        status = exc.status_code
        if status is None:  # no HTTP answer: a connection error or a timeout
            # Anymail's error is also the requests error it caught; that one is the cause.
            if isinstance(exc, requests.ConnectTimeout) or _never_connected(exc.__cause__):
                return TransientError("connection_refused", "email provider not reachable")
            return TransientError(
                "connection_lost", "no answer from the email provider", maybe_sent=True
            )
        if status >= 500 or status in _TRANSIENT_STATUSES:
            return TransientError(
                f"http_{status}", "email_provider_error", maybe_sent=status in _MAYBE_SENT_STATUSES
            )
        return PermanentError(f"http_{status}", "rejected_by_email_provider")
    # Anymail refused before calling the provider (an unsupported feature, configuration).
    return TransientError("anymail", type(exc).__name__)


def _never_connected(exc: BaseException | None) -> bool:
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return isinstance(reason, ConnectTimeoutError)  # NewConnectionError is a subclass
