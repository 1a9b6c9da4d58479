"""SMS through Twilio's own Python SDK.

Settings (docs/operators.md): TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER or
TWILIO_MESSAGING_SERVICE_SID, TWILIO_API_BASE (tests and the demo point it at the local
Twilio in standins/twilio_local/), TWILIO_TIMEOUT, TWILIO_LOOKUP (line types through
Twilio Lookup v2, a paid request per number).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError

from .base import Channel, Message, PermanentError, Receipt, SendError, TransientError

TWILIO_API = "https://api.twilio.com"
# The SDK logs every request and its headers at INFO, thousands a minute from a busy worker;
# its lines go to this logger, which passes warnings only.
SDK_LOG = logging.getLogger("porchlight.notify.sms.sdk")
SDK_LOG.setLevel(logging.WARNING)

# What each Twilio error means for the outbox: (error class, reason, marks the contact).
# REST errors come back from create; 30xxx codes arrive later in status callbacks, and the
# callback webhook classifies them with the same table.
ERRORS: dict[int, tuple[type[SendError], str, bool]] = {
    # The recipient: sending again cannot work, and the contact is marked.
    21211: (PermanentError, "invalid_number", True),
    21610: (PermanentError, "opted_out", True),  # the number replied STOP
    21614: (PermanentError, "not_mobile", True),
    30005: (PermanentError, "unknown_destination", True),
    30006: (PermanentError, "landline", True),
    # This message: it cannot go, but the contact is not at fault.
    21408: (PermanentError, "region_not_enabled", False),
    21602: (PermanentError, "empty_body", False),
    21612: (PermanentError, "unroutable", False),
    21617: (PermanentError, "body_too_long", False),
    # Phone off or out of coverage: Twilio has already retried before reporting it.
    30003: (PermanentError, "unreachable", False),
    30007: (PermanentError, "carrier_filtered", False),
    # Our configuration: nothing is wrong with the message, so keep it until an operator
    # fixes the account (the worker's attempt limit still dead-letters it eventually).
    20003: (TransientError, "authentication_failed", False),
    20404: (TransientError, "account_not_found", False),
    21603: (TransientError, "sender_missing", False),
    21606: (TransientError, "sender_not_sms_capable", False),
    21212: (TransientError, "sender_invalid", False),
    # Twilio itself: retry with backoff.
    20429: (TransientError, "rate_limited", False),
    20500: (TransientError, "provider_error", False),
    20503: (TransientError, "provider_unavailable", False),
    30008: (TransientError, "unknown_delivery_error", False),
}
# What the SDK and requests raise; anything else is a bug of ours and propagates.
PROVIDER_ERRORS = (TwilioException, requests.RequestException, ValueError)
# When Twilio answers with a code not in the table, the HTTP status decides.
TRANSIENT_STATUSES = {401, 403, 404, 408, 409, 429}
# A 5xx from create may come after Twilio accepted the message.
MAYBE_SENT_STATUSES = {500, 502, 504}


# Lookup v2's line_type_intelligence.type, in the words Contact.line_type keeps. Both kinds of
# VoIP are "voip": many take texts, so only "landline" (and the odd kinds) stop a text.
LINE_TYPES = {
    "mobile": "mobile",
    "landline": "landline",
    "fixedVoip": "voip",
    "nonFixedVoip": "voip",
    "tollFree": "toll_free",
    "personal": "personal",
    "premium": "premium",
    "sharedCost": "shared_cost",
    "uan": "uan",
    "voicemail": "voicemail",
    "pager": "pager",
}


def classify(code: int | None, status: int | None = None) -> tuple[type[SendError], str, bool]:
    """The outbox's reading of a Twilio error code (or, failing that, HTTP status)."""
    if code is not None and code in ERRORS:
        return ERRORS[code]
    if status is not None and (status >= 500 or status in TRANSIENT_STATUSES):
        return TransientError, f"http_{status}", False
    return PermanentError, f"twilio_{code or status}", False


def is_configured() -> bool:
    """Whether TWILIO_* settings name an account and a sender."""
    return bool(
        settings.TWILIO_ACCOUNT_SID
        and settings.TWILIO_AUTH_TOKEN
        and (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID)
    )


class RebasedHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, sending to `api_base` instead of Twilio's hosts.

    The SDK builds absolute URLs per product (api.twilio.com for Messages, lookups.twilio.com
    for Lookup, …), including the next-page URLs of lists. Rewriting scheme and host here,
    in the one place every request passes, points all of them at the local Twilio without
    patching the SDK; paths and queries are left exactly as the SDK made them.

    It also mounts a connection pool for plain http:// (the SDK only sizes https://), reads
    the proxy settings (HTTPS_PROXY, NO_PROXY, …) once rather than per request, and remembers
    each thread's last Retry-After header, which TwilioRestException does not carry.
    """

    def __init__(self, api_base: str | None, *, timeout: float, pool_size: int = 32) -> None:
        super().__init__(timeout=timeout, logger=SDK_LOG)
        base = urlsplit(api_base) if api_base and api_base.rstrip("/") != TWILIO_API else None
        self._base = base
        assert self.session is not None
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        # requests re-reads the proxy variables from os.environ on every request, a quarter of
        # the client's CPU per text. Read them (and the CA bundle) once, by the same rules.
        self.session.trust_env = False
        self.proxy = requests.utils.get_environ_proxies(api_base or TWILIO_API)
        self.session.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        self._local = threading.local()

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if self._base is not None:
            parts = urlsplit(url)
            url = urlunsplit((self._base.scheme, self._base.netloc, parts.path, parts.query, ""))
        self._local.retry_after = None
        response = super().request(method, url, *args, **kwargs)
        header = (response.headers or {}).get("Retry-After")
        try:
            self._local.retry_after = float(header) if header else None
        except ValueError:
            self._local.retry_after = None  # an HTTP date; backoff decides instead
        return response

    def last_retry_after(self) -> float | None:
        return getattr(self._local, "retry_after", None)


# How far Twilio's clock (and its whole-second date_created) may be from ours.
CLOCK_MARGIN = timedelta(minutes=5)


class TwilioSms(Channel):
    name = "sms"
    # How far back lookup() searches when the provider id was lost and the message does not
    # say when its row was claimed (reconciliation always says).
    lookup_window = timedelta(days=1)
    lookup_limit = 200

    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        api_base: str | None = None,
        timeout: float | None = None,
        max_connections: int = 32,
    ) -> None:
        """`max_connections`: kept-alive connections to Twilio; match the sending threads."""
        self.account_sid = account_sid or settings.TWILIO_ACCOUNT_SID
        auth_token = auth_token or settings.TWILIO_AUTH_TOKEN
        self.from_number = from_number or settings.TWILIO_FROM_NUMBER
        self.messaging_service_sid = messaging_service_sid or settings.TWILIO_MESSAGING_SERVICE_SID
        if not (self.account_sid and auth_token):
            raise ImproperlyConfigured("Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")
        if not (self.from_number or self.messaging_service_sid):
            raise ImproperlyConfigured(
                "Set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID (the sender)."
            )
        self.http = RebasedHttpClient(
            api_base or settings.TWILIO_API_BASE,
            timeout=timeout or settings.TWILIO_TIMEOUT,
            pool_size=max_connections,
        )
        self.client = Client(self.account_sid, auth_token, http_client=self.http)
        # What a row without a Sender goes from (as _sender chooses): the worker records it.
        self.default_sender = self.messaging_service_sid or self.from_number

    def send(self, message: Message) -> Receipt:
        sender = self._sender(message.sender)
        if message.status_callback:
            sender["status_callback"] = message.status_callback
        try:
            created = self.client.messages.create(to=message.to, body=message.body, **sender)
        except PROVIDER_ERRORS as exc:
            raise self._error(exc) from exc
        return Receipt(provider_id=str(created.sid), status=str(created.status))

    def _sender(self, chosen: str) -> dict[str, str]:
        """The From of one message: the row's Sender (a number, or a messaging service SID
        starting "MG"), else the configured default."""
        if chosen:
            key = "messaging_service_sid" if chosen.startswith("MG") else "from_"
            return {key: chosen}
        if self.messaging_service_sid:
            return {"messaging_service_sid": self.messaging_service_sid}
        return {"from_": self.from_number}

    def lookup(
        self, outbox_id: int, provider_id: str | None, *, message: Message | None = None
    ) -> Receipt | None:
        """What Twilio knows of a message a crash left in `sending`.

        With the provider id this is a fetch. Without it (the crash fell between Twilio
        accepting and our commit), Twilio cannot be asked by outbox id: it keeps the
        StatusCallback URL that carries it but never returns it. So we list the messages to
        the same number, newest first, since the row was claimed (`message.claimed_at`, less
        CLOCK_MARGIN; else over lookup_window), and match the exact body. Our texts name their
        incident, so two rows with the same body to the same number in that time are the same
        update. If a callback for the lost send has already arrived, the callback
        webhook recorded the provider id from the outbox id in its URL, and this path is not
        needed.

        The list is narrowed by what the row went from (`message.sender`, recorded when it was
        claimed; the channel's default when empty): a number is Twilio's `From` filter. A
        Messaging Service picks its number when the message leaves its queue, so Twilio cannot
        filter by it: then the recipient, the window and the exact body decide, with the
        message's messaging_service_sid when Twilio reports one. The window is read from each
        message's date_created rather than sent to Twilio as a DateSent filter: a message still
        queued has no date_sent, and a filter would hide exactly the message we look for.
        """
        if not provider_id and message is None:
            raise ValueError("lookup() without a provider id needs the message to search")
        try:
            if provider_id:
                try:
                    found = self.client.messages(provider_id).fetch()
                except TwilioRestException as exc:
                    if exc.status == 404:
                        return None
                    raise
                return Receipt(provider_id=str(found.sid), status=str(found.status))
            assert message is not None
            cutoff = datetime.now(UTC) - self.lookup_window
            if message.claimed_at is not None:
                # From the claim (less our clocks' difference from Twilio's), however long the
                # row has been held: a text sent days ago is still found, and one to the same
                # number from before this row was claimed cannot be taken for it.
                cutoff = message.claimed_at - CLOCK_MARGIN
            sent_from = message.sender or self.default_sender
            service = sent_from if sent_from.startswith("MG") else ""
            filters: dict[str, str] = {"to": message.to}
            if sent_from and not service:
                filters["from_"] = sent_from
            for found in self.client.messages.stream(
                **filters, limit=self.lookup_limit, page_size=50
            ):
                if found.date_created and found.date_created < cutoff:
                    break  # Twilio lists newest first: nothing older can match
                if found.direction != "outbound-api" or found.body != message.body:
                    continue
                if service and found.messaging_service_sid not in (None, "", service):
                    continue  # the same words through another service: not ours
                return Receipt(provider_id=str(found.sid), status=str(found.status))
            return None
        except PROVIDER_ERRORS as exc:
            error = self._error(_page_error(exc))
            # Asking changes nothing at Twilio, and "we could not tell" must never read as
            # "not sent": every failure here is one to ask again about later.
            raise TransientError(
                error.code,
                f"lookup: {error.reason}",
                retry_after=getattr(error, "retry_after", None),
            ) from exc

    def line_type(self, address: str) -> str:
        """What Twilio Lookup says the number is: "mobile", "landline", "voip", "toll_free",
        …, "invalid" for a number that cannot exist, or "" when TWILIO_LOOKUP is off or
        Lookup does not know. A provider error raises TransientError: ask again later."""
        if not settings.TWILIO_LOOKUP:
            return ""
        try:
            found = self.client.lookups.v2.phone_numbers(address).fetch(
                fields="line_type_intelligence"
            )
        except PROVIDER_ERRORS as exc:
            error = self._error(exc)
            # A lookup changes nothing at Twilio, so whatever went wrong can be retried.
            raise TransientError(
                error.code,
                f"lookup: {error.reason}",
                retry_after=getattr(error, "retry_after", None),
            ) from exc
        if found.valid is False:
            return "invalid"
        intelligence: Any = found.line_type_intelligence
        kind = intelligence.get("type") if isinstance(intelligence, dict) else None
        return LINE_TYPES.get(str(kind), "")

    def _error(self, exc: Exception) -> SendError:
        """Translate what the SDK or requests raised into the outbox's two errors."""
        if isinstance(exc, TwilioRestException | TwilioServiceException):
            code = int(exc.code) if exc.code is not None else None
            kind, reason, marks = classify(code, exc.status)
            label = str(code or exc.status)
            if kind is PermanentError:
                return PermanentError(label, reason, marks_contact=marks)
            return TransientError(
                label,
                reason,
                retry_after=self.http.last_retry_after(),
                maybe_sent=exc.status in MAYBE_SENT_STATUSES,
            )
        if isinstance(exc, requests.ConnectTimeout):
            return TransientError("connect_timeout", "provider not reached in time")
        if isinstance(exc, requests.Timeout):
            return TransientError("timeout", "no answer in time", maybe_sent=True)
        if isinstance(exc, requests.ConnectionError):
            if _never_connected(exc):
                return TransientError("connection_refused", "provider not reachable")
            return TransientError("connection_lost", str(exc), maybe_sent=True)
        # Anything else in PROVIDER_ERRORS is a malformed answer or a broken transfer: Twilio
        # may have accepted the message before it went wrong.
        return TransientError("bad_response", str(exc), maybe_sent=True)


def _page_error(exc: Exception) -> Exception:
    """The SDK reports a list page that failed as a bare TwilioException("Unable to fetch
    page", response): rebuilt as the TwilioRestException a fetch would raise, with Twilio's
    code and status, so the row's error code says what Twilio said."""
    if type(exc) is not TwilioException or len(exc.args) < 2:
        return exc
    response = exc.args[1]
    if not isinstance(response, Response):
        return exc
    try:
        code = json.loads(response.text).get("code")
    except (ValueError, AttributeError):
        code = None
    return TwilioRestException(response.status_code, "", code=code, msg=str(exc.args[0]))


def _never_connected(exc: requests.ConnectionError) -> bool:
    """True when the request cannot have reached the provider (refused, DNS, connect timeout)."""
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return isinstance(reason, ConnectTimeoutError)  # NewConnectionError is a subclass
