from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "porchlight.reports"
    label = "reports"
    verbose_name = "Online reports"
    default_auto_field = "django.db.models.BigAutoField"
