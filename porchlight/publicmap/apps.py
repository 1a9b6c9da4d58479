from django.apps import AppConfig


class PublicmapConfig(AppConfig):
    name = "porchlight.publicmap"
    label = "publicmap"
    verbose_name = "Public map"
    default_auto_field = "django.db.models.BigAutoField"
