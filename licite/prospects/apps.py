from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProspectsConfig(AppConfig):
    name = "licite.prospects"
    verbose_name = _("Sources and prospects")
