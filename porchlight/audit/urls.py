"""The audit log's console page."""

from django.urls import path

from porchlight.audit import console

app_name = "audit"
urlpatterns = [path("console/audit/", console.audit_log, name="log")]
