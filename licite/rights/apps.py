from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "licite.rights"
    verbose_name = _("Consent, suppression and rights")
