"""Porchlight settings. Everything that differs between deployments comes from the environment.

See docs/operators.md for the full list of variables.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from porchlight import proxy as _proxy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORCHLIGHT_VAR_DIR", BASE_DIR / "var"))


def _make_dir(path: Path) -> None:
    # Not fatal here: `porchlight --help` must work where the directory cannot be made (a
    # read-only install); what needs it (SQLite, collectstatic) says so when it runs.
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# The development inbox (/dev/inbox) is switched on by `porchlight demo`, never by DEBUG alone.
DEV_INBOX = env_bool("PORCHLIGHT_DEV_INBOX")


def _dev_secret(name: str) -> str:
    """A per-checkout random secret for development and the demo, kept under var/."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / f".{name}"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


# Secrets come from the environment. Only development checkouts (DEBUG or the demo) fall back
# to a generated secret kept under var/, so a production deploy can never run on a default key.
_allow_dev_secrets = DEBUG or DEV_INBOX or env_bool("PORCHLIGHT_ALLOW_DEV_SECRETS")
# `porchlight <command> --help` only prints text: it needs no secret, so it gets a throwaway one
# (random, never written anywhere) instead of failing on a machine not yet configured.
_help_only = env_bool("PORCHLIGHT_HELP_ONLY")
SECRET_KEY = os.environ.get("PORCHLIGHT_SECRET_KEY") or (
    _dev_secret("secret_key") if _allow_dev_secrets else ""
)
if not SECRET_KEY and _help_only:
    SECRET_KEY = secrets.token_urlsafe(48)
# Old keys still accepted after a rotation, so signed links already sent (email unsubscribe
# links) keep working.
SECRET_KEY_FALLBACKS = env_list("PORCHLIGHT_SECRET_KEY_FALLBACKS")
# Key for contact PII at rest (AES-GCM) and for the keyed lookup hash. Separate from SECRET_KEY
# so that rotating session signing never makes stored phone numbers unreadable.
PII_KEY = os.environ.get("PORCHLIGHT_PII_KEY") or (
    _dev_secret("pii_key") if _allow_dev_secrets else ""
)
if not PII_KEY and _help_only:
    PII_KEY = secrets.token_urlsafe(48)
# Every missing secret named at once: a new checkout lacks both, and naming one at a time
# made the operator (or a developer running makemigrations) fail twice to learn the second.
_missing = [name for name, value in (("PORCHLIGHT_SECRET_KEY", SECRET_KEY),
                                     ("PORCHLIGHT_PII_KEY", PII_KEY)) if not value]  # fmt: skip
if _missing:
    raise ImproperlyConfigured(
        f"Set {' and '.join(_missing)} in the environment (see docs/operators.md). "
        "A development checkout may set DEBUG=1 instead, which generates them under var/."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    # Listed so the API docs page uses ninja's bundled Swagger UI, not a CDN (strict CSP).
    "ninja",
    # Email providers (Postmark, Mailgun, SES, …) behind Django's email API, and their webhooks.
    "anymail",
    "porchlight.audit",
    "porchlight.agencies",
    "porchlight.notify",
    "porchlight.calls",
    "porchlight.geo",
    "porchlight.media",
    "porchlight.cases",
    "porchlight.reports",
    "porchlight.open311",
    "porchlight.community",
    "porchlight.publicmap",
    "porchlight.alerts",
    "porchlight.feedback",
    "porchlight.assist",
    "porchlight.operations",
    "porchlight.insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Serves /static/ from the app server itself, so one process is a whole deployment.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, except that an answer to a stale cookie leaves the cookie alone (sessions.py).
    "porchlight.agencies.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "porchlight.agencies.staff.StaffMfaMiddleware",
    "porchlight.agencies.staff.StaffTimeZoneMiddleware",
]

ROOT_URLCONF = "porchlight.urls"
WSGI_APPLICATION = "porchlight.wsgi.application"
ASGI_APPLICATION = "porchlight.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "porchlight" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "porchlight.agencies.console.scope_context",
            ],
            # Reasons in the page's language: {% load reasons %} (porchlight/reasons.py).
            "libraries": {"reasons": "porchlight.reasons"},
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL, IMMEDIATE transactions, busy timeout) is the embedded default; a PostgreSQL URL
# switches engines with no other change.
_make_dir(VAR_DIR)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'porchlight.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
        # instead of one failing with "database is locked" halfway through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # Tests use a WAL file like production, not Django's in-memory default: its shared-cache
    # mode fails concurrent writers at once ("table is locked") instead of queueing them.
    # One file per test process, so two test runs in one checkout never share (and corrupt) it.
    _db["TEST"] = {
        "NAME": os.environ.get("PORCHLIGHT_TEST_SQLITE")
        or str(VAR_DIR / f"test-porchlight-{os.getpid()}.sqlite3")
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
    if env_bool("DB_POOL"):
        # Django's psycopg pool; conn_max_age must be 0 with it.
        _db["OPTIONS"]["pool"] = {
            "min_size": 2,
            "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
        }
        _db["CONN_MAX_AGE"] = 0
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# A shared cache is needed once several processes run (allauth remembers used TOTP codes and
# rate limits there), so the default is the database, and REDIS_URL switches to Redis.
CACHES: dict[str, dict[str, Any]]
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "porchlight_cache",
        }
    }
# The public map API's answers for repeat views (publicmap/answers.py): Redis when there is
# one, shared by every process; else each process keeps its own few (not the database cache:
# a 300 KB answer through the database the map already spends most of its CPU in would cost
# about what it saves). Keys carry the map's generation, so no process serves a stale one.
CACHES["publicmap"] = (
    {**CACHES["default"], "KEY_PREFIX": "publicmap", "TIMEOUT": 60}
    if os.environ.get("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "publicmap",
        "TIMEOUT": 60,
        # ~64 answers of up to 1 MB (answers.MAX_BYTES): at most ~64 MB a process.
        "OPTIONS": {"MAX_ENTRIES": 64},
    }
)

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/console/"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Staff accounts are created by agency admins; public signup arrives with the community issue.
ACCOUNT_ADAPTER = "porchlight.agencies.staff.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Porchlight"
MFA_TOTP_TOLERANCE = int(os.environ.get("MFA_TOTP_TOLERANCE", "1"))

# --- HTTPS and the reverse proxy (docs/operators.md, "Behind a reverse proxy") ----------------
# A production process (not DEBUG, not the demo) is served over HTTPS: its cookies are Secure
# and it sends HSTS. Development and the demo run on plain http://localhost.
_production = not (DEBUG or DEV_INBOX)
# The proxies whose X-Forwarded-For names the client: a hop count or addresses/CIDRs; unset
# trusts none (porchlight/proxy.py). Every rate limit reads the client through it.
TRUSTED_PROXIES = os.environ.get("PORCHLIGHT_TRUSTED_PROXIES", "")
RATELIMIT_IP_META_KEY = "porchlight.proxy.client_ip"
_proxy.parse(TRUSTED_PROXIES)  # a typo fails at start, not at the first rate-limited request
# TLS ends at the proxy, which says so in X-Forwarded-Proto (it must overwrite what the client
# sent: both examples in docs/operators.md do).
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _production)
# No script reads the CSRF token from the cookie (every form carries it), so scripts may not.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# HSTS: a year by default in production. Browsers honour it only over HTTPS, so it does
# nothing to a plain-HTTP trial. Preload is the domain owner's decision (hstspreload.org).
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if _production else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# Redirect plain HTTP to HTTPS when Porchlight can tell them apart: behind a TLS proxy that
# says so. Without that header every request looks like plain HTTP and would redirect forever.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _production and BEHIND_TLS_PROXY)
# Load balancers probe /healthz on the app's own port, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "porchlight" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
# Date and time formats that name the zone (porchlight/formats/): staff read times in their
# agency's zone (StaffTimeZoneMiddleware), and a time without its zone is ambiguous.
FORMAT_MODULE_PATH = ["porchlight.formats"]

# Strict CSP: every script and style is served from our own origin (vendored, no CDN).
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
_make_dir(STATIC_ROOT)
STATICFILES_DIRS = [BASE_DIR / "porchlight" / "static"]
# Without collectstatic (tests, the demo) whitenoise finds files through the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Media: published copies (default) and evidence originals ------------------------------
# The filesystem by default; S3 (django-storages) when PORCHLIGHT_S3_BUCKET is set. Originals go
# to their own storage, never served by the app (docs/operators.md, "Media storage").
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
EVIDENCE_ROOT = Path(os.environ.get("PORCHLIGHT_EVIDENCE_ROOT", VAR_DIR / "evidence"))
_S3_BUCKET = os.environ.get("PORCHLIGHT_S3_BUCKET", "")
if _S3_BUCKET:
    _s3 = {
        "bucket_name": _S3_BUCKET,
        "endpoint_url": os.environ.get("PORCHLIGHT_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("PORCHLIGHT_S3_REGION") or None,
        "custom_domain": os.environ.get("PORCHLIGHT_S3_CUSTOM_DOMAIN") or None,
        "default_acl": None,
        "querystring_auth": env_bool("PORCHLIGHT_S3_SIGNED_URLS"),
        "file_overwrite": False,
    }
    _media: dict[str, object] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3}
    _evidence: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": os.environ.get("PORCHLIGHT_S3_EVIDENCE_BUCKET", _S3_BUCKET),
            "location": "" if os.environ.get("PORCHLIGHT_S3_EVIDENCE_BUCKET") else "evidence",
            "custom_domain": None,
            "querystring_auth": True,
        },
    }
else:
    _make_dir(MEDIA_ROOT)
    _make_dir(EVIDENCE_ROOT)
    _media = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _evidence = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(EVIDENCE_ROOT), "base_url": "/evidence-not-served/"},
    }
STORAGES = {
    "default": _media,
    "evidence": _evidence,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
# Optional outside geocoder for addresses the agency's table lacks: "nominatim" or "pelias".
PORCHLIGHT_GEOCODER = os.environ.get("PORCHLIGHT_GEOCODER", "")
PORCHLIGHT_GEOCODER_URL = os.environ.get("PORCHLIGHT_GEOCODER_URL", "")
PORCHLIGHT_GEOCODER_TIMEOUT = float(os.environ.get("PORCHLIGHT_GEOCODER_TIMEOUT", "5"))
# Upload limits (porchlight/media/uploads.py, video.py; docs/operators.md "Media storage").
PORCHLIGHT_MAX_IMAGE_BYTES = int(os.environ.get("PORCHLIGHT_MAX_IMAGE_BYTES", 20 * 1024 * 1024))
PORCHLIGHT_MAX_IMAGE_PIXELS = int(os.environ.get("PORCHLIGHT_MAX_IMAGE_PIXELS", 50_000_000))
PORCHLIGHT_MAX_VIDEO_BYTES = int(os.environ.get("PORCHLIGHT_MAX_VIDEO_BYTES", 200 * 1024 * 1024))
PORCHLIGHT_MAX_VIDEO_SECONDS = float(os.environ.get("PORCHLIGHT_MAX_VIDEO_SECONDS", "600"))
PORCHLIGHT_FFMPEG_TIMEOUT = float(os.environ.get("PORCHLIGHT_FFMPEG_TIMEOUT", "300"))

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "porchlight@localhost")
# Seconds to wait for the mail server; without it a hung server holds a send thread forever.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "30"))
# Caller emails go out when a mail server or provider is configured (EMAIL_HOST or
# EMAIL_BACKEND set), or PORCHLIGHT_EMAIL=1 says localhost:25 is one; otherwise email rows are
# suppressed ("no email channel configured") rather than failing against no server.
NOTIFY_EMAIL = env_bool(
    "PORCHLIGHT_EMAIL", bool(os.environ.get("EMAIL_HOST") or os.environ.get("EMAIL_BACKEND"))
)
# With no mail server or provider, the demo and DEBUG runs put Django's own emails (account
# confirmations, password resets) in the development inbox rather than fail on localhost:25.
if (DEBUG or DEV_INBOX) and not NOTIFY_EMAIL:
    EMAIL_BACKEND = "porchlight.notify.devmail.EmailBackend"
# django-anymail (EMAIL_BACKEND=anymail.backends.<provider>.EmailBackend): every ANYMAIL_<NAME>
# variable becomes the anymail setting NAME, e.g. ANYMAIL_POSTMARK_SERVER_TOKEN.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
# The webhooks' basic auth ("user:password" in the URL given to the provider). Unset, a random
# one refuses every webhook: anymail would otherwise accept posts from anyone.
ANYMAIL["WEBHOOK_SECRET"] = ANYMAIL.get("WEBHOOK_SECRET") or secrets.token_urlsafe(32)

# --- SMS ------------------------------------------------------------------------------------
# Texts go through Twilio's SDK when an account and a sender are set (docs/integrators-twilio.md).
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
# Tests, benchmarks and the demo point the real SDK at the local Twilio-compatible server.
TWILIO_API_BASE = os.environ.get("TWILIO_API_BASE", "https://api.twilio.com").rstrip("/")
TWILIO_TIMEOUT = float(os.environ.get("TWILIO_TIMEOUT", "10"))
# Look up each new number's line type with Twilio Lookup v2 (a paid request per number) before
# texting it, so landlines get email or nothing instead of a failed text.
TWILIO_LOOKUP = env_bool("TWILIO_LOOKUP")

# --- Worker ---------------------------------------------------------------------------------
# A row left `sending` this long belonged to a worker that died; reconciliation then asks the
# provider about it. Longer than the slowest send (TWILIO_TIMEOUT) plus the commit after it.
NOTIFY_STALE_SECONDS = float(os.environ.get("PORCHLIGHT_STALE_SECONDS", "120"))

# --- Health and metrics ---------------------------------------------------------------------
# /healthz reports "degraded" when the oldest due message has waited longer than this.
HEALTHZ_MAX_LAG_SECONDS = float(os.environ.get("PORCHLIGHT_MAX_LAG_SECONDS", "300"))
# /metrics wants "Authorization: Bearer <token>"; unset, /metrics is off (404).
METRICS_TOKEN = os.environ.get("PORCHLIGHT_METRICS_TOKEN", "")

# --- Intake ---------------------------------------------------------------------------------
INTAKE_MAX_EVENTS = 1000
# The plausible window for CAD times, for the API and imports alike: earlier than this, or
# more than this many hours ahead of now, is rejected with its reason (a broken CAD clock, or
# a time-only column read as 1900), never stored.
CAD_TIME_EARLIEST = os.environ.get("PORCHLIGHT_CAD_TIME_EARLIEST", "1990-01-01")
CAD_TIME_FUTURE_HOURS = float(os.environ.get("PORCHLIGHT_CAD_TIME_FUTURE_HOURS", "24"))
# The quarantine keeps at most this many rejected events per feed (agency and source, what an
# API key names) an hour; the rest are counted, not kept, so a misbehaving sender cannot bury
# the few real problems (docs/integrators.md).
QUARANTINE_MAX_PER_HOUR = int(os.environ.get("PORCHLIGHT_QUARANTINE_MAX_PER_HOUR", "1000"))
# 1000 events of a few hundred bytes each, with room to spare.
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
# The largest export the console import takes (docs/admins.md); larger ones go through
# `porchlight import`, which streams the file instead of keeping it in the database.
IMPORT_UPLOAD_MAX_BYTES = int(os.environ.get("PORCHLIGHT_IMPORT_UPLOAD_MAX_MB", "20")) * 1024 * 1024

# --- Track page ------------------------------------------------------------------------------
# A tracking link stops working this many days after the call's last update (docs/admins.md).
TRACK_LINK_DAYS = int(os.environ.get("TRACK_LINK_DAYS", "30"))
# Requests per IP to /t/<token>, in django-ratelimit's notation; slows token guessing.
TRACK_RATE_LIMIT = os.environ.get("TRACK_RATE_LIMIT", "30/m")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- cases ---
# Victim opt-in (cases/optin.py): how often one address may submit the case number and card
# code form (django-ratelimit rate), against guessing card codes.
CASES_OPT_IN_RATE = os.environ.get("PORCHLIGHT_CASES_OPT_IN_RATE", "10/h")

# --- reports ---------------------------------------------------------------------------------
# Online report form submissions per IP, in django-ratelimit's notation (docs/admins.md).
REPORTS_RATE_LIMIT = os.environ.get("REPORTS_RATE_LIMIT", "10/h")
# Open311 POST requests per API key; a runaway integration cannot flood the case list.
OPEN311_RATE_LIMIT = os.environ.get("OPEN311_RATE_LIMIT", "120/m")
# The Open311 discovery document's contact and key_service (docs/integrators.md).
OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "Your police department's IT staff.")
OPEN311_KEY_SERVICE = os.environ.get(
    "OPEN311_KEY_SERVICE",
    "Ask the agency's Porchlight administrator for an API key with the source 'open311'.",
)

# --- community ---
# Residents sign up on an agency's community join page (n/<agency>/join/). This adapter
# extends the staff one (agencies/staff.py): signup stays closed everywhere else, and every
# account made there is a resident, never staff (community/accounts.py).
ACCOUNT_ADAPTER = "porchlight.community.accounts.ResidentAccountAdapter"

# --- alerts ----------------------------------------------------------------------------------
# Web push (docs/operators.md, "Web push"): the VAPID private key from `porchlight alerts
# vapid-keys` and a contact URL for push services. Without a key there is no push channel
# (the dev inbox stands in for it in the demo) and the subscribe button is not shown.
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:webmaster@localhost")
# Plain-HTTP push endpoints: only for a local push server (tests, development).
PUSH_ALLOW_HTTP = os.environ.get("PUSH_ALLOW_HTTP", "") == "1"
# Daily digests go out at this local hour (agency time zone), from the worker.
ALERT_DIGEST_HOUR = int(os.environ.get("ALERT_DIGEST_HOUR", "7"))
# Periodic jobs the worker runs after each batch (each takes its own lease).
NOTIFY_PERIODIC_JOBS = ["porchlight.alerts.digests.run"]

# --- feedback ---
# A survey link works this many days after it is sent, for one response (docs/admins.md).
FEEDBACK_LINK_DAYS = int(os.environ.get("FEEDBACK_LINK_DAYS", "7"))
# A rating at or below this (of the call taker, the officer or overall) opens a follow-up.
FEEDBACK_LOW_SCORE = int(os.environ.get("FEEDBACK_LOW_SCORE", "2"))
# Requests per IP to /s/<token>/, in django-ratelimit's notation; slows token guessing.
FEEDBACK_RATE_LIMIT = os.environ.get("FEEDBACK_RATE_LIMIT", "60/m")

# --- publicmap ---
# A call or offense appears on the public map this many minutes after it began (an agency's
# MapSettings row overrides it; docs/admins.md "Public map").
PUBLICMAP_DELAY_MINUTES = int(os.environ.get("PORCHLIGHT_MAP_DELAY_MINUTES", "60"))
# Each publish run looks back this far for records that reached the CAD late.
PUBLICMAP_LOOKBACK_HOURS = int(os.environ.get("PORCHLIGHT_MAP_LOOKBACK_HOURS", "48"))
# How often the worker publishes (seconds).
PUBLICMAP_PUBLISH_SECONDS = float(os.environ.get("PORCHLIGHT_MAP_PUBLISH_SECONDS", "60"))
# The base layer in production: an XYZ tile URL and its attribution (HTML from the provider's
# terms). Empty (the default): the map draws the bundled demo streets only, with no tiles, so it
# works offline and never calls a third party. A tile host must also be allowed by the CSP.
MAP_TILE_URL = os.environ.get("PORCHLIGHT_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("PORCHLIGHT_MAP_TILE_ATTRIBUTION", "")
# Without tiles, the streets drawn as the base layer: a GeoJSON of LineStrings under static/
# (the demo city's by default; publicmap/streets.py makes it). Empty: no base layer at all.
MAP_STREETS = os.environ.get("PORCHLIGHT_MAP_STREETS", "publicmap/demo-streets.geojson")
if MAP_TILE_URL:
    # Tiles are images from the tile host: allow that one origin ("{s}." subdomains as "*.").
    from urllib.parse import urlsplit as _urlsplit

    _tiles = _urlsplit(MAP_TILE_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
        f"{_tiles.scheme}://{_tiles.netloc.replace('{s}.', '*.')}"
    )

# --- tus (resumable uploads, porchlight/media/tus.py) ---
# An incomplete resumable upload expires this many hours after it was created; the worker's
# periodic job deletes its bytes (docs/integrators.md, "Resumable uploads (tus 1.0)").
MEDIA_TUS_EXPIRY_HOURS = float(os.environ.get("PORCHLIGHT_TUS_EXPIRY_HOURS", "24"))
NOTIFY_PERIODIC_JOBS = [*NOTIFY_PERIODIC_JOBS, "porchlight.media.tus.purge_expired"]

# --- assist ---
# Requests for assistance (docs/admins.md): requests expire, and shares not taken into
# evidence are deleted on schedule, by the worker.
NOTIFY_PERIODIC_JOBS = [*NOTIFY_PERIODIC_JOBS, "porchlight.assist.jobs.run"]
# --- operations ---
# Intake health (docs/operators.md, "Feed-silence alerts"): a feed is silent when nothing has
# arrived for longer than its usual gap (a high percentile of its recent gaps), never less than
# the floor; a feed with too little history to learn from uses the default.
OPS_FEED_SILENCE_FLOOR_MINUTES = int(os.environ.get("PORCHLIGHT_FEED_SILENCE_FLOOR_MINUTES", "15"))
OPS_FEED_DEFAULT_GAP_MINUTES = int(os.environ.get("PORCHLIGHT_FEED_DEFAULT_GAP_MINUTES", "360"))
OPS_FEED_CHECK_SECONDS = int(os.environ.get("PORCHLIGHT_FEED_CHECK_SECONDS", "60"))
# The retention purge runs this often (docs/operators.md, "Retention").
OPS_PURGE_EVERY_MINUTES = int(os.environ.get("PORCHLIGHT_PURGE_EVERY_MINUTES", "60"))
NOTIFY_PERIODIC_JOBS = [
    *NOTIFY_PERIODIC_JOBS,
    "porchlight.operations.feeds.run",
    "porchlight.operations.retention.run",
]
# --- access ----------------------------------------------------------------------------------
# `caps` in every template: what the signed-in user may do (agencies/permissions.py).
TEMPLATES[0]["OPTIONS"]["context_processors"].append("porchlight.agencies.permissions.context")  # type: ignore[index]
# --- insights ---
# The dashboards' rollups are refreshed by the worker (insights/rollups.py), at most this often
# (seconds): never in the intake transaction.
INSIGHTS_ROLLUP_SECONDS = float(os.environ.get("PORCHLIGHT_INSIGHTS_ROLLUP_SECONDS", "60"))
NOTIFY_PERIODIC_JOBS = [*NOTIFY_PERIODIC_JOBS, "porchlight.insights.rollups.run"]
# --- community ---
# How often one resident account may post, comment and flag (django-ratelimit's notation,
# counted per account; docs/admins.md "Community"). Past the limit: 429 with the reason.
COMMUNITY_POST_RATE = os.environ.get("PORCHLIGHT_COMMUNITY_POST_RATE", "10/h")
COMMUNITY_COMMENT_RATE = os.environ.get("PORCHLIGHT_COMMUNITY_COMMENT_RATE", "30/h")
COMMUNITY_FLAG_RATE = os.environ.get("PORCHLIGHT_COMMUNITY_FLAG_RATE", "20/h")
# Failed sign-ins (password or second-factor code) are limited per address and per account:
# allauth's `login_failed` limit, also what counts wrong MFA codes. Past it, even the right
# password is refused until the window passes (docs/operators.md, "Staff sessions").
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("PORCHLIGHT_LOGIN_FAILED_LIMIT", "10/m/ip,5/300s/key"),
}
# Idle staff sessions end after this many minutes without a request (StaffIdleMiddleware).
STAFF_IDLE_MINUTES = float(os.environ.get("PORCHLIGHT_STAFF_IDLE_MINUTES", "30"))
MIDDLEWARE.insert(
    MIDDLEWARE.index("porchlight.agencies.staff.StaffMfaMiddleware"),
    "porchlight.agencies.staff.StaffIdleMiddleware",
)
# Second factors: an authenticator app (TOTP, required of staff), recovery codes, and security
# keys or passkeys (WebAuthn, through the pinned fido2 package). Passkey sign-in (no password)
# stays off: staff sign in with a password (or SSO) and then a second factor.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn needs a secure origin; plain http://localhost (the demo, tests) only when allowed.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool(
    "PORCHLIGHT_WEBAUTHN_INSECURE_ORIGIN", DEBUG or DEV_INBOX
)
# Single sign-on: each agency's OpenID Connect provider (agencies.models.SingleSignOn, set in
# the admin; agencies/sso.py). Provider sign-ins only reach existing staff by verified email,
# never create accounts, and are followed by the second factor (docs/operators.md, "SSO").
INSTALLED_APPS += [
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]
SOCIALACCOUNT_ADAPTER = "porchlight.agencies.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
# Seconds to wait for an identity provider (discovery, token, keys).
SOCIALACCOUNT_REQUESTS_TIMEOUT = float(os.environ.get("PORCHLIGHT_OIDC_TIMEOUT", "10"))
