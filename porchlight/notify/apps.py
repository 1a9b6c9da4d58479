from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "porchlight.notify"
    label = "notify"
    verbose_name = "Notify"

    def ready(self) -> None:
        # Email providers' bounce, complaint and delivery webhooks arrive through anymail,
        # whose interface for them is this signal.
        from anymail.signals import tracking

        from porchlight.notify import bounces

        tracking.connect(bounces.on_tracking, dispatch_uid="porchlight.notify.bounces")
