from django.apps import AppConfig


class PublicmapConfig(AppConfig):
    name = "porchlight.publicmap"
    label = "publicmap"
    verbose_name = "Public map"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Producers register on import: the CAD's calls and the RMS's offenses (cases).
        from porchlight.publicmap import cad, rms  # noqa: F401
