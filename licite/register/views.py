"""The public page of the privacy policy's prospecting section (RULES D5): no login, in the
person's language (the one chosen on the page, else their browser's: RULES D4); and the register
pages for the roles that edit it (RULES H1, F5): the activities with their live figures, an
activity's fiche and form, the organisation's contacts, the export."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from licite.accounts.actions import PROFILE_FIELDS, do_set_organisation
from licite.accounts.models import Organisation, User
from licite.core.permissions import Perm
from licite.lib.documents import Bullets, Fields, Notice, Paragraph, Section, Table
from licite.register.actions import do_save_activity
from licite.register.export import MIME_TYPES, do_export_register, file_name
from licite.register.figures import ProspectFigures, RequestFigures, SuppressionFigures, live_figures
from licite.register.forms import ActivityForm, ExportForm, OrganisationForm
from licite.register.models import ProcessingActivity
from licite.register.privacy import NoOrganisation, privacy_document
from licite.web.access import requires
from licite.web.forms import add_action_errors

LANGUAGES = ("fr", "en")


@require_http_methods(["GET", "HEAD"])
def privacy_policy(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("lang")
    language = asked if asked in LANGUAGES else translation.get_language_from_request(request)
    other = "en" if language == "fr" else "fr"
    with translation.override(language):
        try:
            document = privacy_document(language)
        except NoOrganisation:
            return render(request, "register/privacy_unavailable.html", {"other": other}, status=404)
        context = {
            "organisation": Organisation.current(),
            "document": document,
            "sections": [_section(section) for section in document.sections],
            "other": other,
        }
        return render(request, "register/privacy.html", context)


def _section(section: Section) -> dict[str, Any]:
    """A section as the template walks it: each block with its kind."""
    return {
        "heading": section.heading,
        "blocks": [{"kind": _KINDS[type(block)], "block": block} for block in section.blocks],
        "sections": [_section(sub) for sub in section.sections],
    }


_KINDS = {Paragraph: "paragraph", Fields: "fields", Table: "table", Bullets: "bullets", Notice: "notice"}


# --- The register pages (RULES H1), for the roles that edit the register (RULES F5) ------------


@require_GET
@requires(Perm.EDIT_REGISTER)
def register(request: HttpRequest) -> HttpResponse:
    """The activities with the live figures the export quotes, and the organisation's contacts."""
    activities = list(ProcessingActivity.objects.prefetch_related("sources").order_by("pk"))
    figures = live_figures(activities, timezone.now())
    rows = [(activity, _figures_of(figures.for_activity(activity))) for activity in activities]
    context = {
        "rows": rows,
        "figures": figures,
        "organisation": Organisation.current(),
        "export_form": ExportForm(initial={"format": "xlsx", "lang": translation.get_language()}),
    }
    return render(request, "register/register.html", context)


def _figures_of(found: Any) -> list[tuple[str, Any]]:
    """The figures of one activity as label/value pairs, counts only (RULES F4: no address)."""
    if isinstance(found, ProspectFigures):
        return [(_("Records held"), found.records), (_("Notices overdue"), found.notices_overdue)]
    if isinstance(found, SuppressionFigures):
        return [(_("Suppression list entries"), found.entries)]
    if isinstance(found, RequestFigures):
        return [
            (_("Rights requests received"), found.received),
            (_("Answered in time"), found.answered_in_time),
            (_("Open past their deadline"), found.open_overdue),
        ]
    return []


@require_GET
@requires(Perm.EDIT_REGISTER)
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(ProcessingActivity.objects.prefetch_related("sources"), pk=pk)
    figures = live_figures([activity], timezone.now())
    context = {
        "activity": activity,
        "figures": _figures_of(figures.for_activity(activity)),
        "facts": _facts(activity),
    }
    if apps.is_installed("licite.processors"):
        context["processors"] = list(activity.declared_processors.all())
    return render(request, "register/activity_detail.html", context)


def _facts(activity: ProcessingActivity) -> list[tuple[str, str]]:
    """Every field of the activity's form as label and text, lists one item a line."""
    form = ActivityForm(instance=activity)
    facts = []
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if name == "sources":
            text = "\n".join(source.name for source in activity.sources.all())
        elif isinstance(field, forms.BooleanField):
            text = str(_("Yes") if value else _("No"))
        elif isinstance(field, forms.ChoiceField):
            labels: dict[Any, Any] = dict(cast(Any, field.choices))
            values = value if isinstance(value, list) else [value]
            text = "\n".join(str(labels.get(key, key)) for key in values if key)
        else:
            text = str(value or "")
        facts.append((str(field.label), text))
    return facts


@require_http_methods(["GET", "POST"])
@requires(Perm.EDIT_REGISTER)
def activity_create(request: HttpRequest) -> HttpResponse:
    return _activity_form(request, ProcessingActivity())


@require_http_methods(["GET", "POST"])
@requires(Perm.EDIT_REGISTER)
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _activity_form(request, get_object_or_404(ProcessingActivity, pk=pk))


def _activity_form(request: HttpRequest, activity: ProcessingActivity) -> HttpResponse:
    """RULES H1, D4: the activity written through do_save_activity, or the form with each error."""
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            change = do_save_activity(
                request.user, form.instance, form.changed_data, form.cleaned_data["sources"]
            )
        except ValidationError as exc:  # the action's full_clean: beside its field
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Activity saved: %(name)s.") % {"name": change.activity.name})
            return redirect("activity_detail", pk=change.activity.pk)
    return render(
        request, "register/activity_form.html", {"form": form, "activity": activity}
    )  # errors in the page, as the other pages do


@require_http_methods(["GET", "POST"])
@requires(Perm.EDIT_REGISTER)
def organisation_edit(request: HttpRequest) -> HttpResponse:
    """RULES H1, D1: the controller's and the DPO's contacts, through do_set_organisation."""
    form = OrganisationForm(request.POST or None, instance=Organisation.current())
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in PROFILE_FIELDS}
        try:
            do_set_organisation(cast(User, request.user), **values)  # logged in: `requires`
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The organisation's contacts are saved."))
            return redirect("register")
    return render(
        request, "register/organisation_form.html", {"form": form}
    )  # errors in the page, as the other pages do


@require_http_methods(["GET", "POST"])
@requires(Perm.EDIT_REGISTER)
def register_export(request: HttpRequest) -> HttpResponse:
    """The file `licite register export` writes, by the same function; audited (RULES H1). A
    POST: a link prefetcher or a crawler following a GET writes no download into the trail."""
    if request.method != "POST":
        form = ExportForm(initial={"format": "xlsx", "lang": translation.get_language()})
        return render(request, "register/export.html", {"form": form})
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(request, "register/export.html", {"form": form})
    fmt, language = form.cleaned_data["format"], form.cleaned_data["lang"]
    content = do_export_register(request.user, fmt, language)
    response = HttpResponse(content, content_type=MIME_TYPES[fmt])
    name = file_name(fmt, language, timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
