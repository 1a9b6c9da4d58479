from django.contrib import admin
from django.urls import include, path

from porchlight.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("console/", include("porchlight.calls.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
