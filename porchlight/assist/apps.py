from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    name = "porchlight.assist"
    label = "assist"
    verbose_name = _("Requests for assistance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Residents' files arrive through the media app's resumable uploads (tus).
        from porchlight.assist import uploads

        uploads.register()
