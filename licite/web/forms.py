"""What the pages' forms share: the page keys of a filter form, an action's refusal on its fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from licite.web.paging import PAGE_KEY_MAX


class QuickTextInput(forms.TextInput):
    """Django's text input, its markup written here rather than by its template: a list page
    renders its filter form on every request, and the template engine took a quarter of the
    prospects list's time (docs/performance.md, the web benchmark). Same attributes (the
    bound field's aria ones included), same escaping."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], shown, flatatt(widget["attrs"])
        )


class QuickSelect(forms.Select):
    """Django's select, likewise (see QuickTextInput): one option a line, the chosen one
    `selected`. Choices in groups go through Django's template, as written."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _options, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>',
            (
                (str(option["value"]), flatatt(option["attrs"]), option["label"])
                for _name, group, _index in widget["optgroups"]
                for option in group
            ),
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>', widget["name"], flatatt(widget["attrs"]), options
        )


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
