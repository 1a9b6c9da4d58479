"""A real Twilio, locally: the Messages API, errors, latency, signed callbacks and inbound SMS.

    with LocalTwilio() as twilio:
        channel = TwilioSms(api_base=twilio.base_url, account_sid=twilio.account_sid, …)

See docs/integrators-twilio.md.
"""

from .server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, POOL_NUMBER, LocalTwilio
from .state import num_segments, sign

__all__ = [
    "DEFAULT_ACCOUNT_SID",
    "DEFAULT_AUTH_TOKEN",
    "POOL_NUMBER",
    "LocalTwilio",
    "num_segments",
    "sign",
]
