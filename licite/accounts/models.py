"""Users with a role, and the organisation that is the data controller."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siren

from licite.core.functions import parse_additions
from licite.core.permissions import Perm, allowed


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    DPO = "dpo", _("Data protection officer")
    SALES = "sales", _("Sales")
    MARKETING = "marketing", _("Marketing")
    COMMUNICATION = "communication", _("Communication")
    OTHER = "other", _("Other (no access to prospects)")


# RULES F5: marketing, sales and communication may see prospects; HR or finance may not. The
# permission matrix (licite.core.permissions) decides.
PROSPECT_ROLES = frozenset(role for role in Role if allowed(role, Perm.VIEW_PROSPECTS))


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OTHER)

    @property
    def may_see_prospects(self) -> bool:
        """RULES F5: only the roles that need prospects for their job see them."""
        return self.is_active and allowed(self.role, Perm.VIEW_PROSPECTS)


def validate_siren(value: str) -> None:
    if not siren.is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid SIREN (9 digits with a valid check digit)."),
            params={"value": value},
        )


def validate_job_functions(value: object) -> None:
    try:
        parse_additions(value)
    except ValueError:
        raise ValidationError(
            _(
                "Write an object that maps each function to a list of job titles, such as "
                '{"purchasing": ["category buyer"], "events": ["événementiel", "event manager"]}.'
            )
        ) from None


class Language(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class Organisation(models.Model):
    """The data controller: there is exactly one per installation."""

    singleton = models.BooleanField(_("singleton"), default=True, unique=True, editable=False)
    legal_name = models.CharField(_("legal name"), max_length=200)
    address = models.TextField(_("postal address"))
    siren = models.CharField(_("SIREN"), max_length=9, validators=[validate_siren])
    contact_email = models.EmailField(_("contact email"))
    # RULES H1: the register's contacts (the CNIL template): postcode, city, country, phone.
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    dpo_name = models.CharField(_("DPO name"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("DPO contact email"), blank=True)
    dpo_company = models.CharField(_("DPO's company (external DPO)"), max_length=200, blank=True)
    dpo_address = models.TextField(_("DPO postal address"), blank=True)
    dpo_postcode = models.CharField(_("DPO postcode"), max_length=20, blank=True)
    dpo_city = models.CharField(_("DPO city"), max_length=100, blank=True)
    dpo_country = models.CharField(_("DPO country"), max_length=100, blank=True)
    dpo_phone = models.CharField(_("DPO phone"), max_length=40, blank=True)
    # GDPR art. 27: a controller established outside the EU names a representative in it.
    representative_name = models.CharField(_("representative name"), max_length=200, blank=True)
    representative_address = models.TextField(_("representative postal address"), blank=True)
    representative_postcode = models.CharField(_("representative postcode"), max_length=20, blank=True)
    representative_city = models.CharField(_("representative city"), max_length=100, blank=True)
    representative_country = models.CharField(_("representative country"), max_length=100, blank=True)
    representative_phone = models.CharField(_("representative phone"), max_length=40, blank=True)
    representative_email = models.EmailField(_("representative email"), blank=True)
    privacy_policy_url = models.URLField(_("privacy policy URL"), blank=True)
    default_language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    # RULES C3: the organisation's own job titles, added to licite's table (licite.core.functions).
    job_functions = models.JSONField(
        _("job functions"),
        default=dict,
        blank=True,
        validators=[validate_job_functions],
        help_text=_(
            "Job titles added to licite's table of functions, by function: an existing function "
            '("purchasing", "sales", "hr"...) or a new one. A campaign naming a function, or one of '
            "its titles, reaches every title of that function."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisation")
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="organisation_singleton"),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @classmethod
    def current(cls) -> Organisation | None:
        return cls.objects.first()

    @property
    def has_dpo(self) -> bool:
        return bool(self.dpo_name and self.dpo_email)
