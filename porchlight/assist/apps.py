from django.apps import AppConfig


class AssistConfig(AppConfig):
    name = "porchlight.assist"
    label = "assist"
    verbose_name = "Requests for assistance"
    default_auto_field = "django.db.models.BigAutoField"
