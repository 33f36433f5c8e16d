"""The forms of the users pages (issue 22): invite a user, change a role."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from licite.accounts.models import Role, User


class InviteForm(forms.Form):
    """RULES F5: a new account gets the role its job needs, and nothing else."""

    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("Email"), help_text=_("The link to choose a password is sent to this address.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.OTHER)

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("A user with this username already exists."))
        return username


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
