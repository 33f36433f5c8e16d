from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "licite.web"
    verbose_name = _("Web app")

    def ready(self) -> None:
        from licite.web import security  # the login audit's signal receivers

        security.connect_lockout_audit()
