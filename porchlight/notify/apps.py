from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "porchlight.notify"
    label = "notify"
    verbose_name = "Notify"
