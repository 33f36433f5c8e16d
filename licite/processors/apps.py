from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessorsConfig(AppConfig):
    name = "licite.processors"
    verbose_name = _("Processors and transfers")

    def ready(self) -> None:
        from licite.processors import checks  # noqa: F401  (registers the system checks)
