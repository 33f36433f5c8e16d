"""What the pages' forms share: the page keys of a filter form, an action's refusal on its fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from licite.web.paging import PAGE_KEY_MAX


class PageKeyField(forms.IntegerField):
    """A page key (after, before) of a list's filter form: a whole number a BIGINT holds, else an
    error naming the field (a key past 2**63 would reach the database and fail there)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=PAGE_KEY_MAX, required=False, **kwargs)


def add_action_errors(
    form: forms.BaseForm, exc: ValidationError, renamed: Mapping[str, str] | None = None
) -> None:
    """An action's ValidationError on the form: each error beside the field it names (the
    model's field name translated by `renamed` when the form calls it otherwise), the rest above
    the form. Handles both an error on fields (a dict) and a plain list of messages."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        name = (renamed or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)
