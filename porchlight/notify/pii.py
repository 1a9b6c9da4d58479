"""Contact PII at rest: AES-GCM for the value, a keyed hash for lookups.

Two keys are derived from PORCHLIGHT_PII_KEY with HKDF, one to encrypt and one to hash, so a
leaked hash index reveals nothing about the encryption key. Phone numbers are normalised to
E.164 before hashing, so "(661) 555-0100" and "+16615550100" are the same contact.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_NONCE = 12


@functools.cache
def _keys(master: str) -> tuple[AESGCM, bytes]:
    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
            master.encode()
        )

    return AESGCM(derive(b"porchlight pii encrypt")), derive(b"porchlight pii lookup")


def encrypt(value: str) -> bytes:
    aes, _ = _keys(settings.PII_KEY)
    nonce = os.urandom(_NONCE)
    return nonce + aes.encrypt(nonce, value.encode(), None)


def decrypt(blob: bytes | memoryview | None) -> str | None:
    if blob is None:
        return None
    data = bytes(blob)
    aes, _ = _keys(settings.PII_KEY)
    return aes.decrypt(data[:_NONCE], data[_NONCE:], None).decode()


def lookup_hash(value: str) -> str:
    _, key = _keys(settings.PII_KEY)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


_NOT_DIGITS = re.compile(r"[^\d+]")


def normalize_phone(raw: str, default_country: str = "1") -> str | None:
    """E.164 for North American and international numbers; None when it cannot be a phone."""
    digits = _NOT_DIGITS.sub("", raw.strip())
    if digits.startswith("+"):
        rest = digits[1:]
        return "+" + rest if 8 <= len(rest) <= 15 and rest.isdigit() else None
    if not digits.isdigit():
        return None
    if len(digits) == 10:
        return f"+{default_country}{digits}"
    if len(digits) == 11 and digits.startswith(default_country):
        return "+" + digits
    return None


def mask(value: str | None) -> str:
    """What staff screens show by default: enough to recognise, not enough to reuse."""
    if not value:
        return ""
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:1]}…@{domain}"
    return "…" + value[-4:]
