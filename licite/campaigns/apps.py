from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "licite.campaigns"
    verbose_name = _("Campaigns and contacts")

    def ready(self) -> None:
        from licite.campaigns import webhooks  # noqa: F401  (connects the anymail signal)
