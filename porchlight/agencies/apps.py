from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "porchlight.agencies"
    label = "agencies"
    verbose_name = "Agencies"
