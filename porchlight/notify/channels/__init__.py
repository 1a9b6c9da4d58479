"""Delivery channels: one small class per provider over channels.base.Channel."""

from .base import Channel, Message, PermanentError, Receipt, SendError, TransientError

__all__ = ["Channel", "Message", "PermanentError", "Receipt", "SendError", "TransientError"]
