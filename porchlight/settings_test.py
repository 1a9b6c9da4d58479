"""Settings for the test suite: the real settings, with fixed throwaway secrets.

pytest-django imports settings before any conftest runs, so the test secrets are set here.
"""

import os

os.environ.setdefault("PORCHLIGHT_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("PORCHLIGHT_PII_KEY", "test-pii-key-not-for-production-0123456789")
# Playwright's sync API runs an event loop in the test thread; the ORM calls beside it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from porchlight.settings import *  # noqa: E402,F403

# Fast password hashing: the suite creates many users; production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- access ---
# Many tests sign a client in and then travel in time by hours or days (time-machine); the idle
# sign-out (agencies/staff.py StaffIdleMiddleware) would end those sessions. Its own tests set
# the window they test (agencies/tests/test_session_limits.py).
STAFF_IDLE_MINUTES = 60 * 24 * 365 * 100
