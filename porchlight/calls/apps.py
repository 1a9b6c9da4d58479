from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "porchlight.calls"
    label = "calls"
    verbose_name = "Calls"
