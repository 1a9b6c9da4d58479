"""A Twilio-compatible HTTP server for tests, benchmarks and the demo.

It speaks the Messages part of Twilio's REST API (create, fetch, list) and Lookup v2's phone
number fetch, with Twilio's JSON shapes, error codes and Basic auth, so the real `twilio` SDK
talks to it unchanged. After a create it moves the message through queued, sent and delivered
(or undelivered/failed) and POSTs signed status callbacks, and it can post signed inbound
messages to a webhook.

Tests drive it in-process through LocalTwilio's methods; as a process
(`python -m standins.twilio_local`) the same controls are under /_local/.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import operator
import re
import secrets
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from .state import API_VERSION, E164, Store, error_body, num_segments, public, sign

logger = logging.getLogger(__name__)

DEFAULT_ACCOUNT_SID = "AC" + "10ca1" + "0" * 27
DEFAULT_AUTH_TOKEN = "local-twilio-auth-token"
# The sender a Messaging Service "picks", and the number inbound texts are addressed to.
POOL_NUMBER = "+15005550006"

MESSAGES = re.compile(rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages\.json$")
MESSAGE = re.compile(rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$")
# Lookup v2 lives on lookups.twilio.com; the SDK's client rebases every host to this server, so
# the path alone tells the products apart.
PHONE_NUMBER = re.compile(r"^/v2/PhoneNumbers/(?P<number>[^/]+)$")
MAX_BODY = 1600
MAX_PAGE_SIZE = 1000


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 resets connections when a benchmark opens a hundred
    # at once.
    request_queue_size = 1024

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up (the SDK's timeout tests do, on purpose) is not an error;
        # anything else still prints its traceback.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def __init__(self, address: tuple[str, int], local: LocalTwilio) -> None:
        self.local = local
        self._sockets: set[socket.socket] = set()
        self._sockets_lock = threading.Lock()
        # Counts the load tests read instead of wall-clock times: connections accepted (one
        # per keep-alive connection), and the most message creates handled at the same time.
        self.accepted = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        super().__init__(address, _Handler)

    # Keep-alive connections live in their own threads after shutdown() returns; stopping
    # must close them too, or a client's pooled connection would still reach a "stopped"
    # server.
    def process_request(self, request: Any, client_address: Any) -> None:
        with self._sockets_lock:
            self._sockets.add(request)
            self.accepted += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._sockets_lock:
            self._sockets.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._sockets_lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class LocalTwilio:
    """The server plus its controls. Use as a context manager, or start() and stop()."""

    def __init__(
        self,
        *,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        callback_threads: int = 8,
    ) -> None:
        self.store = Store(account_sid, auth_token)
        self._address = (host, port)
        self._callback_threads = callback_threads
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._callbacks: ThreadPoolExecutor | None = None

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> LocalTwilio:
        self._server = _Server(self._address, self)
        self._callbacks = ThreadPoolExecutor(self._callback_threads, "twilio-local-callback")
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        assert self._thread and self._callbacks
        self._thread.join(timeout=5)
        self._callbacks.shutdown(wait=True, cancel_futures=True)
        self._server = None

    def __enter__(self) -> LocalTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def account_sid(self) -> str:
        return self.store.account_sid

    @property
    def auth_token(self) -> str:
        return self.store.auth_token

    # --- controls (the same as the /_local/ endpoints) ----------------------------------
    def configure(self, **settings: Any) -> None:
        """latency, failure_rate, failure_code, failure_seed, callback_delay,
        list_failure_code and list_latency (reading the Messages list fails or is slow),
        sign_callbacks_badly, inbound_webhook."""
        self.store.configure(**settings)

    def set_line_type(self, number: str, line_type: str) -> None:
        """What Lookup's line_type_intelligence says `number` is: "landline", "nonFixedVoip",
        … (Twilio's words; every valid number is "mobile" until told otherwise)."""
        self.store.set_line_type(number, line_type)

    def fail_lookup(self, number: str, code: int) -> None:
        """Answer every Lookup of `number` with Twilio error `code` (20429, 20500, …)."""
        self.store.fail_lookup(number, code)

    def lookups(self) -> list[str]:
        """The numbers Lookup was asked about, oldest first."""
        return self.store.lookup_log()

    def fail_number(self, to: str, code: int) -> None:
        """Answer every create to `to` with Twilio error `code` (21211, 21610, 20429, …)."""
        self.store.fail_number(to, code)

    def set_outcome(self, to: str, status: str, error_code: int | None = None) -> None:
        """End messages to `to` as delivered, or undelivered/failed with 30003, 30005, …"""
        self.store.set_outcome(to, status, error_code)

    def reset(self) -> None:
        self.store.reset()

    def connections_accepted(self) -> int:
        """TCP connections accepted since start (keep-alive reuses one for many requests)."""
        assert self._server is not None, "start() the server first"
        return self._server.accepted

    def peak_concurrent_creates(self) -> int:
        """The most message creates the server was handling at the same moment."""
        assert self._server is not None, "start() the server first"
        return self._server.peak_in_flight

    def messages(self) -> list[dict[str, object]]:
        """Every message the account holds, newest first, as Twilio's JSON."""
        return [public(m) for m in self.store.newest_first()]

    def callbacks(self) -> list[dict[str, object]]:
        """Every status callback POSTed so far: url, params, signature, response status."""
        return self.store.callback_log()

    def wait_for_callbacks(self, count: int, timeout: float = 5.0) -> list[dict[str, object]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.callbacks()
            if len(log) >= count:
                return log
            time.sleep(0.01)
        raise TimeoutError(f"{len(self.callbacks())} of {count} callbacks after {timeout}s")

    def wait_for_status(self, message_sid: str, status: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.store.get(message_sid)
            if message and message["status"] == status:
                return
            time.sleep(0.01)
        raise TimeoutError(f"{message_sid} did not reach {status} in {timeout}s")

    def simulate_inbound(
        self,
        from_: str,
        body: str,
        *,
        to: str = POOL_NUMBER,
        url: str | None = None,
        valid_signature: bool = True,
        messaging_service_sid: str | None = None,
        opt_out_type: str | None = None,
    ) -> tuple[int, str]:
        """POST an inbound SMS to the webhook as Twilio would; returns (status, response body).

        `messaging_service_sid`: the number belongs to a Messaging Service (Twilio then adds
        MessagingServiceSid). `opt_out_type`: "STOP", "START" or "HELP", as Twilio adds when
        the service's Advanced Opt-Out recognised (and answered) a keyword.
        """
        target = url or self.store.behaviour.inbound_webhook
        if not target:
            raise ValueError("no inbound webhook: pass url= or configure(inbound_webhook=…)")
        message = self.store.create(
            to=to,
            from_=from_,
            body=body,
            service_sid=messaging_service_sid,
            direction="inbound",
            status="received",
        )
        params = inbound_params(
            str(message["sid"]),
            from_,
            body,
            to=to,
            account_sid=self.account_sid,
            messaging_service_sid=messaging_service_sid,
            opt_out_type=opt_out_type,
        )
        return self._post_signed(target, params, valid_signature)

    # --- internals ----------------------------------------------------------------------
    def _post_signed(
        self, url: str, params: Mapping[str, str], valid_signature: bool
    ) -> tuple[int, str]:
        token = self.auth_token if valid_signature else self.auth_token + "-wrong"
        request = urllib.request.Request(
            url,
            data=urlencode(params).encode(),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": sign(token, url, params),
                "I-Twilio-Idempotency-Token": secrets.token_hex(16),
                "User-Agent": "TwilioProxy/1.1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def _schedule_lifecycle(self, message: Mapping[str, object], callback: str | None) -> None:
        assert self._callbacks is not None
        try:
            self._callbacks.submit(
                self._lifecycle, str(message["sid"]), str(message["to"]), callback
            )
        except RuntimeError:
            pass  # stopping: the executor refuses new work, as a shut-down Twilio would

    def _lifecycle(self, message_sid: str, to: str, callback: str | None) -> None:
        """queued -> sent -> delivered, or queued -> [sent ->] undelivered/failed."""
        outcome = self.store.outcome_for(to)
        steps: list[tuple[str, int | None]] = [("queued", None)]
        if outcome.status != "failed":
            steps.append(("sent", None))
        steps.append((outcome.status, outcome.error_code))
        for status, error_code in steps:
            time.sleep(self.store.behaviour.callback_delay)
            if status == "queued":
                message = self.store.get(message_sid)
            else:
                message = self.store.advance(message_sid, status, error_code, POOL_NUMBER)
            if callback and message:
                self._status_callback(callback, message, status, error_code)

    def _status_callback(
        self, url: str, message: Mapping[str, object], status: str, error_code: int | None
    ) -> None:
        params = {
            "SmsSid": str(message["sid"]),
            "SmsStatus": status,
            "MessageStatus": status,
            "To": str(message["to"]),
            "MessageSid": str(message["sid"]),
            "AccountSid": self.account_sid,
            "From": str(message["from"] or ""),
            "ApiVersion": API_VERSION,
        }
        if message.get("messaging_service_sid"):
            params["MessagingServiceSid"] = str(message["messaging_service_sid"])
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        valid = not self.store.behaviour.sign_callbacks_badly
        entry: dict[str, object] = {"url": url, "params": params}
        try:
            entry["response_status"], _ = self._post_signed(url, params, valid)
        except (OSError, ValueError) as exc:
            # Twilio does not retry status callbacks; it logs the failure. So do we.
            entry["response_status"], entry["error"] = None, str(exc)
        self.store.record_callback(entry)


def inbound_params(
    message_sid: str,
    from_: str,
    body: str,
    *,
    to: str = POOL_NUMBER,
    account_sid: str = DEFAULT_ACCOUNT_SID,
    messaging_service_sid: str | None = None,
    opt_out_type: str | None = None,
) -> dict[str, str]:
    """The parameters of Twilio's incoming-message webhook, as Twilio sends them."""
    params = {
        "ToCountry": "US",
        "ToState": "",
        "SmsMessageSid": message_sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": message_sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "US",
        "To": to,
        "ToZip": "",
        "NumSegments": str(num_segments(body)),
        "MessageSid": message_sid,
        "AccountSid": account_sid,
        "From": from_,
        "ApiVersion": API_VERSION,
    }
    if messaging_service_sid:
        params["MessagingServiceSid"] = messaging_service_sid
    if opt_out_type:
        params["OptOutType"] = opt_out_type
    return params


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as benchmarks with the SDK's pool expect
    timeout = 30  # idle keep-alive connections end rather than hold a thread forever
    # A buffered writer: headers and body leave in one write, flushed after each request.
    wbufsize = -1
    server_version = "LocalTwilio/1.0"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet by default: benchmarks send thousands of requests

    # --- plumbing -----------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        # Without this, Nagle's algorithm holds each small response behind the client's
        # delayed ACK: about 40 ms a request on keep-alive connections.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _reply(self, status: int, body: object, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, code: int, **fields: str) -> None:
        status, body = error_body(code, **fields)
        headers = {"Retry-After": "1"} if status == 429 else None
        if code == 20003:
            body["detail"] = "Your AccountSid or AuthToken was incorrect."
            headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'}
        self._reply(status, body, headers)

    def _form(self) -> dict[str, list[str]]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
        return parse_qs(raw, keep_blank_values=True)

    def _json(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            data = json.loads(raw or b"{}")
        except ValueError as exc:
            self._reply(400, {"error": f"body is not JSON: {exc}"})
            return None
        if not isinstance(data, dict):
            self._reply(400, {"error": "body must be a JSON object"})
            return None
        return data

    def _authenticated(self) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        store = self.server.local.store
        return (
            scheme.lower() == "basic"
            and secrets.compare_digest(user, store.account_sid)
            and secrets.compare_digest(password, store.auth_token)
        )

    # --- routing ------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _route(self, method: str) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True  # the body's end is unknown: this connection is done
            return self._reply(400, {"error": "Content-Length must be a whole number"})
        try:
            self._dispatch(method)
        except Exception:
            # Twilio answers its own faults with 20500; so does its stand-in, rather than
            # dropping the connection. The traceback goes to stderr for whoever runs it.
            logger.exception("local Twilio failed on %s %s", method, self.path)
            self.close_connection = True
            self._error(20500)

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        if url.path.startswith("/_local/"):
            return self._control(method, url.path)
        # Read the body before any answer, so the next request on a keep-alive connection
        # starts where it should.
        form = self._form() if method == "POST" else {}
        if not self._authenticated():
            return self._error(20003)
        store = self.server.local.store
        if match := MESSAGES.match(url.path):
            if match["account"] != store.account_sid:
                return self._error(20404, path=url.path)
            if method == "POST":
                return self._create(form)
            if method == "GET":
                return self._list(url.path, parse_qs(url.query))
            return self._error(20004)
        if match := PHONE_NUMBER.match(url.path):
            if method != "GET":
                return self._error(20004)
            return self._lookup(unquote(match["number"]), parse_qs(url.query))
        if match := MESSAGE.match(url.path):
            message = store.get(match["sid"]) if match["account"] == store.account_sid else None
            if message is None:
                return self._error(20404, path=url.path)
            if method != "GET":
                return self._error(20004)
            return self._reply(200, public(message))
        return self._error(20404, path=url.path)

    # --- Messages -----------------------------------------------------------------------
    def _create(self, form: dict[str, list[str]]) -> None:
        local = self.server.local
        store = local.store
        server = self.server
        with server._sockets_lock:
            server.in_flight += 1
            server.peak_in_flight = max(server.peak_in_flight, server.in_flight)
        try:
            latency = store.behaviour.latency
            if latency:
                time.sleep(latency)
        finally:
            with server._sockets_lock:
                server.in_flight -= 1
        first = {name: values[0] for name, values in form.items() if values}
        to = first.get("To", "").strip()
        from_ = first.get("From", "").strip()
        service = first.get("MessagingServiceSid", "").strip()
        body = first.get("Body", "")
        if not to:
            return self._error(21604)
        if not (from_ or service):
            return self._error(21603)
        if not body and not first.get("MediaUrl"):
            return self._error(21602)
        if len(body) > MAX_BODY:
            return self._error(21617)
        if not E164.match(to):
            return self._error(21211, to=to)
        if code := store.rest_error_for(to):
            return self._error(code, to=to, from_=from_ or POOL_NUMBER, path=self.path)
        message = store.create(to=to, from_=from_ or None, body=body, service_sid=service or None)
        local._schedule_lifecycle(message, first.get("StatusCallback") or None)
        self._reply(201, public(message))

    def _list(self, path: str, query: dict[str, list[str]]) -> None:
        behaviour = self.server.local.store.behaviour
        if behaviour.list_latency:
            time.sleep(behaviour.list_latency)
        if behaviour.list_failure_code:
            return self._error(behaviour.list_failure_code, path=path)
        q = {name: values[0] for name, values in query.items() if values}
        try:
            size = int(q.get("PageSize", "50"))
            page = int(q.get("Page", "0"))
            filters = _date_filters(q)
        except ValueError as exc:
            return self._reply(
                400,
                {
                    "code": 20001,
                    "message": f"Invalid list parameter: {exc}",
                    "more_info": "https://www.twilio.com/docs/errors/20001",
                    "status": 400,
                },
            )
        size = max(1, min(size, MAX_PAGE_SIZE))
        rows = [
            m
            for m in self.server.local.store.newest_first()
            if ("To" not in q or m["to"] == q["To"])
            and ("From" not in q or m["from"] == q["From"])
            and all(check(cast(datetime | None, m.get("_sent"))) for check in filters)
        ]
        # A PageToken names the row the previous page ended on, so pages stay stable
        # while new messages arrive at the top.
        start = page * size
        token = q.get("PageToken", "")
        if token[:2] == "PA":
            sids = [m["sid"] for m in rows]
            start = sids.index(token[2:]) + 1 if token[2:] in sids else len(rows)
        chunk = rows[start : start + size]
        base = {
            k: v for k, v in q.items() if k in {"To", "From", "DateSent", "DateSent<", "DateSent>"}
        }

        def uri(page_number: int, page_token: str | None = None) -> str:
            params = {**base, "PageSize": size, "Page": page_number}
            if page_token:
                params["PageToken"] = page_token
            return f"{path}?{urlencode(params)}"

        has_next = start + size < len(rows)
        self._reply(
            200,
            {
                "messages": [public(m) for m in chunk],
                "end": start + len(chunk) - 1 if chunk else start,
                "first_page_uri": uri(0),
                "next_page_uri": uri(page + 1, "PA" + str(chunk[-1]["sid"]))
                if has_next and chunk
                else None,
                "page": page,
                "page_size": size,
                "previous_page_uri": uri(page - 1) if page > 0 else None,
                "start": start,
                "uri": self.path,
            },
        )

    # --- Lookup v2 -------------------------------------------------------------------------
    def _lookup(self, number: str, query: dict[str, list[str]]) -> None:
        fields = {f.strip() for v in query.get("Fields", []) for f in v.split(",") if f.strip()}
        code, resource = self.server.local.store.lookup(number, fields)
        if code is not None:
            return self._error(code, to=number, path=self.path)
        self._reply(200, resource)

    # --- controls for tests and demos run as a process ----------------------------------
    def _control(self, method: str, path: str) -> None:
        local = self.server.local
        if method == "GET" and path == "/_local/messages":
            return self._reply(200, {"messages": local.messages()})
        if method == "GET" and path == "/_local/callbacks":
            return self._reply(200, {"callbacks": local.callbacks()})
        if method == "GET" and path == "/_local/lookups":
            return self._reply(200, {"lookups": local.lookups()})
        if method != "POST":
            return self._reply(
                405, {"error": "use GET for messages, callbacks and lookups, POST otherwise"}
            )
        data = self._json()
        if data is None:
            return None
        actions: dict[str, Callable[[], object]] = {
            "/_local/reset": local.reset,
            "/_local/config": lambda: local.configure(**data),
            "/_local/fail": lambda: local.fail_number(str(data["to"]), int(data["code"])),
            "/_local/outcome": lambda: local.set_outcome(
                str(data["to"]),
                str(data["status"]),
                int(data["error_code"]) if data.get("error_code") is not None else None,
            ),
            "/_local/inbound": lambda: local.simulate_inbound(
                str(data["from"]),
                str(data["body"]),
                to=str(data.get("to") or POOL_NUMBER),
                url=data.get("url"),
                valid_signature=bool(data.get("valid_signature", True)),
                messaging_service_sid=data.get("messaging_service_sid"),
                opt_out_type=data.get("opt_out_type"),
            ),
            "/_local/line_type": lambda: local.set_line_type(
                str(data["number"]), str(data["type"])
            ),
            "/_local/fail_lookup": lambda: local.fail_lookup(
                str(data["number"]), int(data["code"])
            ),
        }
        action = actions.get(path)
        if action is None:
            return self._reply(
                404, {"error": f"no control endpoint {path}", "endpoints": sorted(actions)}
            )
        try:
            result = action()
        except KeyError as exc:
            return self._reply(400, {"error": f"missing field {exc}"})
        except (TypeError, ValueError, OSError) as exc:
            return self._reply(400, {"error": str(exc)})
        if isinstance(result, tuple):  # inbound: the webhook's answer
            return self._reply(200, {"webhook_status": result[0], "webhook_body": result[1]})
        return self._reply(200, {"ok": True})


def _date_filters(q: Mapping[str, str]) -> list[Callable[[datetime | None], bool]]:
    """DateSent, DateSent< and DateSent> as Twilio reads them: a day (YYYY-MM-DD, inclusive)
    or an instant (YYYY-MM-DDTHH:MM:SSZ). Messages not yet sent never match a date filter."""

    def parse(value: str) -> date | datetime:
        if "T" in value:
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return date.fromisoformat(value)

    def check(
        compare: Callable[[Any, Any], bool], bound: date | datetime
    ) -> Callable[[datetime | None], bool]:
        def matches(moment: datetime | None) -> bool:
            if moment is None:
                return False
            if isinstance(bound, datetime):
                return compare(moment, bound)
            return compare(moment.date(), bound)

        return matches

    checks: list[Callable[[datetime | None], bool]] = []
    if "DateSent" in q:
        # An exact DateSent names a day even when sent as a timestamp (the SDK always sends
        # YYYY-MM-DDTHH:MM:SSZ, midnight for a date).
        day = parse(q["DateSent"])
        checks.append(check(operator.eq, day.date() if isinstance(day, datetime) else day))
    if "DateSent<" in q:
        checks.append(check(operator.le, parse(q["DateSent<"])))
    if "DateSent>" in q:
        checks.append(check(operator.ge, parse(q["DateSent>"])))
    return checks
