from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from porchlight import start
from porchlight.agencies import enrol
from porchlight.api import api
from porchlight.notify import bounces, health

# The admin signs in through allauth, so its login has the same MFA and rate limits.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", start.home, name="start"),
    path("api/v1/", api.urls),
    # Before allauth's URLs, so this one serves the same path (and name).
    path("accounts/2fa/totp/activate/", enrol.activate_totp, name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Email providers' delivery, bounce and complaint webhooks: /anymail/<provider>/tracking/
    # (basic auth: ANYMAIL_WEBHOOK_SECRET; handled by notify/bounces.py).
    path("anymail/", include((bounces.tracking_urls(), "anymail"))),
    path("console/", include("porchlight.calls.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", health.prometheus, name="metrics"),
    # Published photos, videos and posters on the filesystem storage (S3 serves its own).
    path("", include("porchlight.media.urls")),
    path("", include("porchlight.notify.urls")),
    path("t/", include("porchlight.calls.track_urls")),
    # Each domain app names its own paths in full (console/cases/, report/, map/, …).
    path("", include("porchlight.cases.urls")),
    path("", include("porchlight.reports.urls")),
    path("open311/v2/", include("porchlight.open311.urls")),
    path("", include("porchlight.community.urls")),
    path("", include("porchlight.publicmap.urls")),
    path("", include("porchlight.alerts.urls")),
    path("", include("porchlight.feedback.urls")),
    path("", include("porchlight.assist.urls")),
    path("", include("porchlight.operations.urls")),
    path("", include("porchlight.audit.urls")),
    path("", include("porchlight.insights.urls")),
]
