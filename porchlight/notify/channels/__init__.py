"""Delivery channels: one small class per provider over channels.base.Channel."""

from django.conf import settings

from .base import Channel, Message, PermanentError, Receipt, SendError, TransientError

__all__ = [
    "Channel", "Message", "PermanentError", "Receipt", "SendError", "TransientError",
    "from_settings",
]  # fmt: skip


def from_settings() -> dict[str, Channel]:
    """The channel for each kind of message, from the settings. LookupError when SMS has none."""
    from porchlight.notify.channels.dev import DevInbox

    if getattr(settings, "TWILIO_ACCOUNT_SID", ""):
        from porchlight.notify.channels.sms import TwilioSms

        return {"sms": TwilioSms()}
    if settings.DEV_INBOX or settings.DEBUG:
        return {"sms": DevInbox("sms")}
    raise LookupError(
        "No SMS provider: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and a sender "
        "(docs/operators.md), or run the demo, which uses the development inbox."
    )
