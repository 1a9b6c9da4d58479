from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "porchlight.alerts"
    label = "alerts"
    verbose_name = "Agency alerts"
    default_auto_field = "django.db.models.BigAutoField"
