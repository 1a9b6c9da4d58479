"""Delivery channels: one small class per provider over channels.base.Channel."""

from django.conf import settings

from .base import Channel, Message, PermanentError, Receipt, SendError, TransientError

__all__ = [
    "Channel", "Message", "PermanentError", "Receipt", "SendError", "TransientError",
    "from_settings",
]  # fmt: skip


def from_settings() -> dict[str, Channel]:
    """The channel for each kind of message, from the settings. LookupError when SMS has none.

    Email is optional: without a mail server (settings.NOTIFY_EMAIL) or the dev inbox there is
    no "email" channel, and the worker suppresses email rows with that reason.
    """
    from porchlight.notify.channels.dev import DevInbox

    dev = settings.DEV_INBOX or settings.DEBUG
    channels: dict[str, Channel] = {}
    if getattr(settings, "TWILIO_ACCOUNT_SID", ""):
        from porchlight.notify.channels.sms import TwilioSms

        channels["sms"] = TwilioSms()
    elif dev:
        channels["sms"] = DevInbox("sms")
    else:
        raise LookupError(
            "No SMS provider: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and a sender "
            "(docs/operators.md), or run the demo, which uses the development inbox."
        )
    if settings.NOTIFY_EMAIL:
        from porchlight.notify.channels.email import EmailChannel

        channels["email"] = EmailChannel()
    elif dev:
        channels["email"] = DevInbox("email")
    if getattr(settings, "VAPID_PRIVATE_KEY", ""):
        from porchlight.notify.channels.push import WebPush

        channels["push"] = WebPush()
    elif dev:
        channels["push"] = DevInbox("push")
    return channels
