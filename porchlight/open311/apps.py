from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "porchlight.open311"
    label = "open311"
    verbose_name = "Open311"
    default_auto_field = "django.db.models.BigAutoField"
