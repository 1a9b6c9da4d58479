from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "porchlight.audit"
    label = "audit"
    verbose_name = "Audit"
