from django.apps import AppConfig


class PublicmapConfig(AppConfig):
    name = "porchlight.publicmap"
    label = "publicmap"
    verbose_name = "Public map"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Producers register on import: the CAD's is built in; RMS cases add theirs the same way.
        from porchlight.publicmap import cad  # noqa: F401
