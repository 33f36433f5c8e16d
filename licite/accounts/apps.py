from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "licite.accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self) -> None:
        from licite.accounts import checks  # noqa: F401  (registers the system checks)
