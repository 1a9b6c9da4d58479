"""What the local Twilio remembers: messages, per-number behaviour, failures and latency.

Everything here is plain data behind one lock, so the HTTP handler threads, the callback
threads and the test thread can all touch it at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

API_VERSION = "2010-04-01"
MORE_INFO = "https://www.twilio.com/docs/errors/{code}"

# Error code -> (HTTP status, message), worded as Twilio words them.
ERRORS: dict[int, tuple[int, str]] = {
    20003: (401, "Authenticate"),
    20004: (405, "Method not allowed"),
    20404: (404, "The requested resource {path} was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    20503: (503, "Service Unavailable"),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21408: (
        400,
        "Permission to send an SMS has not been enabled for the region indicated by the "
        "'To' number: {to}.",
    ),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21612: (
        400,
        "The 'To' phone number: {to}, is not currently reachable using the 'From' phone number: {from_} via SMS.",
    ),
    21614: (400, "'To' number {to} is not a valid mobile number"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
}

# Delivery error codes a carrier reports back through status callbacks. 21610 comes this way
# too when a Messaging Service queued the message before finding the recipient had replied STOP.
DELIVERY_ERRORS: dict[int, str] = {
    21610: "Attempt to send to unsubscribed recipient",
    30003: "Unreachable destination handset",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
}

# Twilio's documented magic 'To' numbers for test credentials, so code written against
# Twilio's test account behaves the same here.
MAGIC_TO: dict[str, int] = {
    "+15005550001": 21211,
    "+15005550002": 21612,
    "+15005550003": 21408,
    "+15005550004": 21610,
    "+15005550009": 21614,
}

E164 = re.compile(r"^\+[1-9]\d{6,14}$")

# Lookup v2's line_type_intelligence.type values (twilio.com/docs/lookup/v2-api/line-type-intelligence).
LINE_TYPES = frozenset(
    {
        "mobile", "landline", "fixedVoip", "nonFixedVoip", "personal", "tollFree", "premium",
        "sharedCost", "uan", "voicemail", "pager", "unknown",
    }
)  # fmt: skip
# A few calling codes' ISO countries, for Lookup's country_code; others answer null.
COUNTRIES = {"1": "US", "44": "GB", "52": "MX", "34": "ES"}

# GSM 03.38: the basic set costs one septet, the extension table two.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def num_segments(body: str) -> int:
    """How many SMS segments Twilio bills for `body` (GSM-7 or UCS-2)."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in body):
        units = sum(2 if ch in _GSM_EXTENDED else 1 for ch in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


def rfc2822(moment: datetime) -> str:
    return format_datetime(moment, usegmt=False).replace("-0000", "+0000")


def sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def sign(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature: HMAC-SHA1 over the full URL followed by each POST parameter's
    name and value, sorted by name, base64-encoded.

    Written from Twilio's description rather than borrowed from the SDK, so tests that check
    it with twilio.request_validator.RequestValidator compare two implementations.
    """
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def public(message: Mapping[str, object]) -> dict[str, object]:
    """The Message resource as Twilio returns it (without our private bookkeeping keys)."""
    return {key: value for key, value in message.items() if not key.startswith("_")}


def error_body(code: int, **fields: str) -> tuple[int, dict[str, object]]:
    status, template = ERRORS[code]
    body: dict[str, object] = {
        "code": code,
        "message": template.format(**{"to": "", "from_": "", "path": "", **fields}),
        "more_info": MORE_INFO.format(code=code),
        "status": status,
    }
    return status, body


@dataclass
class Outcome:
    """How a message to one number ends: delivered, or undelivered/failed with a code."""

    status: str = "delivered"
    error_code: int | None = None


@dataclass
class Behaviour:
    latency: float = 0.0  # seconds added to every create
    failure_rate: float = 0.0  # share of creates answered with `failure_code`
    failure_code: int = 20500
    failure_seed: int | None = None
    callback_delay: float = 0.01  # seconds between queued, sent and the final status
    # Reading the Messages list (what reconciliation asks): an error code to answer every
    # list with (0: none), and seconds to wait first (longer than a client's timeout: a
    # list that times out).
    list_failure_code: int = 0
    list_latency: float = 0.0
    sign_callbacks_badly: bool = False
    inbound_webhook: str = ""
    rest_errors: dict[str, int] = field(default_factory=dict)  # To -> error code
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # To -> delivery outcome
    line_types: dict[str, str] = field(default_factory=dict)  # number -> Lookup type
    lookup_errors: dict[str, int] = field(default_factory=dict)  # number -> error code


class Store:
    """The account's messages and the behaviour tests asked for, behind one lock."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._lock = threading.Lock()
        self._messages: dict[str, dict[str, object]] = {}
        self._order: list[str] = []  # insertion order; lists are newest first
        self.callbacks: list[dict[str, object]] = []
        self.lookups: list[str] = []  # numbers looked up, in order
        self.behaviour = Behaviour()
        self._random = random.Random()

    # --- configuration ------------------------------------------------------------------
    # Settings tests may change, with the type each must have (JSON from /_local/config too).
    _SETTINGS: dict[str, type] = {
        "latency": float,
        "failure_rate": float,
        "failure_code": int,
        "failure_seed": int,
        "callback_delay": float,
        "list_failure_code": int,
        "list_latency": float,
        "sign_callbacks_badly": bool,
        "inbound_webhook": str,
    }

    def configure(self, **changes: object) -> None:
        values: dict[str, object] = {}
        for name, value in changes.items():
            kind = self._SETTINGS.get(name)
            if kind is None:
                raise ValueError(f"unknown setting {name!r}; known: {sorted(self._SETTINGS)}")
            if value is None and name == "failure_seed":
                values[name] = None
                continue
            if (
                kind is not str
                and isinstance(value, str)
                or isinstance(value, bool)
                and kind is not bool
            ):
                raise ValueError(f"{name} must be a {kind.__name__}")
            try:
                values[name] = kind(value)  # type: ignore[call-arg]
            except (TypeError, ValueError):
                raise ValueError(f"{name} must be a {kind.__name__}") from None
        if values.get("failure_code", 20500) not in ERRORS:
            raise ValueError(f"unknown failure_code {values['failure_code']}")
        if values.get("list_failure_code", 0) not in (0, *ERRORS):
            raise ValueError(f"unknown list_failure_code {values['list_failure_code']}")
        if not 0 <= float(values.get("failure_rate", 0.0)) <= 1:  # type: ignore[arg-type]
            raise ValueError("failure_rate must be between 0 and 1")
        if any(
            float(values.get(name, 0.0)) < 0  # type: ignore[arg-type]
            for name in ("latency", "callback_delay", "list_latency")
        ):
            raise ValueError("latency, callback_delay and list_latency cannot be negative")
        with self._lock:
            for name, value in values.items():
                setattr(self.behaviour, name, value)
            if "failure_seed" in values or "failure_rate" in values:
                self._random = random.Random(self.behaviour.failure_seed)

    def fail_number(self, to: str, code: int) -> None:
        if code not in ERRORS:
            raise ValueError(f"unknown error code {code}")
        with self._lock:
            self.behaviour.rest_errors[to] = code

    def set_outcome(self, to: str, status: str, error_code: int | None = None) -> None:
        if status not in {"delivered", "undelivered", "failed"}:
            raise ValueError(f"unknown outcome {status!r}")
        if status != "delivered" and error_code not in DELIVERY_ERRORS:
            raise ValueError(
                f"{status} needs one of the delivery error codes {sorted(DELIVERY_ERRORS)}"
            )
        with self._lock:
            self.behaviour.outcomes[to] = Outcome(
                status, error_code if status != "delivered" else None
            )

    def set_line_type(self, number: str, line_type: str) -> None:
        if line_type not in LINE_TYPES:
            raise ValueError(f"unknown line type {line_type!r}; Lookup's are {sorted(LINE_TYPES)}")
        with self._lock:
            self.behaviour.line_types[number] = line_type

    def fail_lookup(self, number: str, code: int) -> None:
        if code not in ERRORS:
            raise ValueError(f"unknown error code {code}")
        with self._lock:
            self.behaviour.lookup_errors[number] = code

    def reset(self) -> None:
        with self._lock:
            self._messages.clear()
            self._order.clear()
            self.callbacks.clear()
            self.lookups.clear()
            self.behaviour = Behaviour()
            self._random = random.Random()

    # --- messages -----------------------------------------------------------------------
    def rest_error_for(self, to: str) -> int | None:
        """The error a create to `to` must answer with, if any (configured, magic, random)."""
        with self._lock:
            code = self.behaviour.rest_errors.get(to) or MAGIC_TO.get(to)
            if code is None and self.behaviour.failure_rate > 0:
                if self._random.random() < self.behaviour.failure_rate:
                    code = self.behaviour.failure_code
            return code

    def outcome_for(self, to: str) -> Outcome:
        with self._lock:
            return self.behaviour.outcomes.get(to, Outcome())

    def create(
        self,
        *,
        to: str,
        from_: str | None,
        body: str,
        service_sid: str | None = None,
        direction: str = "outbound-api",
        status: str = "queued",
    ) -> dict[str, object]:
        # The StatusCallback URL is not stored: Twilio's Message JSON never returns it either.
        moment = datetime.now(UTC)
        now = rfc2822(moment)
        message_sid = sid("SM")
        base = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{message_sid}"
        message: dict[str, object] = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": now,
            "date_sent": now if direction == "inbound" else None,
            "date_updated": now,
            "direction": direction,
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service_sid,
            "num_media": "0",
            # Twilio reports 0 segments for Messaging Service sends until it picks a sender.
            "num_segments": "0" if service_sid and not from_ else str(num_segments(body)),
            "price": None,
            # Kept for the list's date filters and dropped from the JSON by public().
            "_sent": moment if direction == "inbound" else None,
            "price_unit": "USD",
            "sid": message_sid,
            "status": status,
            "subresource_uris": {
                "media": f"{base}/Media.json",
                "feedback": f"{base}/Feedback.json",
            },
            "to": to,
            "uri": f"{base}.json",
        }
        with self._lock:
            self._messages[message_sid] = message
            self._order.append(message_sid)
            return dict(message)

    def advance(
        self, message_sid: str, status: str, error_code: int | None = None, sender: str = ""
    ) -> dict[str, object]:
        now = datetime.now(UTC)
        with self._lock:
            message = self._messages[message_sid]
            message["status"] = status
            message["date_updated"] = rfc2822(now)
            if status == "sent":
                message["date_sent"] = rfc2822(now)
                message["_sent"] = now
                message["price"] = "-0.00790"
                if not message["from"]:
                    # A Messaging Service picks its sender when the message leaves the queue.
                    message["from"] = sender
                    message["num_segments"] = str(num_segments(str(message["body"])))
            if error_code is not None:
                message["error_code"] = error_code
                message["error_message"] = DELIVERY_ERRORS.get(error_code)
            return dict(message)

    def get(self, message_sid: str) -> dict[str, object] | None:
        with self._lock:
            message = self._messages.get(message_sid)
            return dict(message) if message else None

    def newest_first(self) -> list[dict[str, object]]:
        with self._lock:
            return [dict(self._messages[s]) for s in reversed(self._order)]

    # --- Lookup -------------------------------------------------------------------------
    def lookup(self, number: str, fields: set[str]) -> tuple[int | None, dict[str, object]]:
        """Lookup v2's answer for `number`: (an error code or None, the PhoneNumber resource).

        Like Twilio, an invalid number is not an error: it is a 200 with `valid: false`, the
        reasons, and null data packages. Valid numbers are mobiles unless seeded otherwise.
        """
        with self._lock:
            self.lookups.append(number)
            code = self.behaviour.lookup_errors.get(number)
            line_type = self.behaviour.line_types.get(number, "mobile")
        if code is not None:
            return code, {}
        digits = number[1:] if number.startswith("+") else number
        errors = _validation_errors(number)
        valid = not errors
        country = next((c for c in ("1", "44", "52", "34") if digits.startswith(c)), None)
        resource: dict[str, object] = {
            "calling_country_code": country if valid else None,
            "country_code": COUNTRIES.get(country or "") if valid else None,
            "phone_number": number,
            "national_format": _national(digits) if valid else None,
            "valid": valid,
            "validation_errors": errors,
            "caller_name": None,
            "sim_swap": None,
            "call_forwarding": None,
            "line_status": None,
            "line_type_intelligence": None,
            "identity_match": None,
            "reassigned_number": None,
            "sms_pumping_risk": None,
            "phone_number_quality_score": None,
            "pre_fill": None,
            "url": f"https://lookups.twilio.com/v2/PhoneNumbers/{number}",
        }
        if valid and "line_type_intelligence" in fields:
            mobile = line_type == "mobile"
            resource["line_type_intelligence"] = {
                "error_code": None,
                "mobile_country_code": "310" if mobile else None,
                "mobile_network_code": "456" if mobile else None,
                "carrier_name": "Local Wireless" if mobile else "Local Telephone Company",
                "type": line_type,
            }
        return None, resource

    def record_callback(self, entry: dict[str, object]) -> None:
        with self._lock:
            self.callbacks.append(entry)

    def lookup_log(self) -> list[str]:
        with self._lock:
            return list(self.lookups)

    def callback_log(self) -> list[dict[str, object]]:
        with self._lock:
            return [dict(entry) for entry in self.callbacks]


def _validation_errors(number: str) -> list[str]:
    """Lookup v2's validation_errors: E.164 shape, and NANP's ten digits after the 1."""
    digits = number[1:] if number.startswith("+") else number
    if not digits.isdigit():
        return ["NOT_A_NUMBER"]
    if not number.startswith("+") or digits.startswith("0"):
        return ["INVALID_COUNTRY_CODE"]
    if digits.startswith("1"):
        if len(digits) != 11:
            return ["TOO_SHORT"] if len(digits) < 11 else ["TOO_LONG"]
        if digits[1] in "01" or digits[4] in "01":
            return ["INVALID_BUT_POSSIBLE"]
        return []
    if len(digits) < 8:
        return ["TOO_SHORT"]
    if len(digits) > 15:
        return ["TOO_LONG"]
    return []


def _national(digits: str) -> str:
    if digits.startswith("1") and len(digits) == 11:
        return f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"
    return digits
