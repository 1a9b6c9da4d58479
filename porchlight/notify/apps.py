from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "porchlight.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Email providers' bounce, complaint and delivery webhooks arrive through anymail,
        # whose interface for them is this signal.
        from anymail.signals import tracking

        from porchlight.notify import bounces

        tracking.connect(bounces.on_tracking, dispatch_uid="porchlight.notify.bounces")
