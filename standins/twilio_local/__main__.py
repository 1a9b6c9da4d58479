"""Run the local Twilio as a process: python -m standins.twilio_local --port 8935"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, LocalTwilio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m standins.twilio_local",
        description="A Twilio-compatible Messages API for tests, benchmarks and the demo.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8935)
    parser.add_argument(
        "--account-sid", default=os.environ.get("TWILIO_ACCOUNT_SID") or DEFAULT_ACCOUNT_SID
    )
    parser.add_argument(
        "--auth-token", default=os.environ.get("TWILIO_AUTH_TOKEN") or DEFAULT_AUTH_TOKEN
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every create")
    parser.add_argument("--failure-rate", type=float, default=0.0)
    parser.add_argument("--failure-code", type=int, default=20500)
    parser.add_argument("--failure-seed", type=int, default=None)
    parser.add_argument("--callback-delay-ms", type=float, default=10.0)
    parser.add_argument("--inbound-webhook", default="", help="where simulated inbound SMS go")
    args = parser.parse_args(argv)
    if not 0 <= args.failure_rate <= 1:
        parser.error("--failure-rate must be between 0 and 1")

    local = LocalTwilio(
        account_sid=args.account_sid, auth_token=args.auth_token, host=args.host, port=args.port
    )
    try:
        local.start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        local.configure(
            latency=args.latency_ms / 1000,
            failure_rate=args.failure_rate,
            failure_code=args.failure_code,
            failure_seed=args.failure_seed,
            callback_delay=args.callback_delay_ms / 1000,
            inbound_webhook=args.inbound_webhook,
        )
    except ValueError as exc:
        local.stop()
        parser.error(str(exc))

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    print(f"Local Twilio on {local.base_url} (account {local.account_sid})", flush=True)
    stopping.wait()
    local.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
