"""The processor pages (RULES B7, F5): the list with each transfer flagged, a processor's page,
and declaring, changing or removing one through do_save_processor / do_remove_processor."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from licite.core.permissions import Perm
from licite.processors.actions import do_remove_processor, do_save_processor
from licite.processors.forms import ProcessorForm, RemoveForm
from licite.processors.models import Processor
from licite.web.access import requires
from licite.web.forms import add_action_errors

# do_save_processor names its fields as the model does; "activity" is the form's "activities".
_FORM_FIELD = {"activity": "activities"}


@require_GET
@requires(Perm.EDIT_REGISTER)
def processor_list(request: HttpRequest) -> HttpResponse:
    """Every processor, a transfer without a ground flagged (RULES B7); a handful, not paged."""
    processors = list(Processor.objects.prefetch_related("activities").order_by("name"))
    return render(request, "processors/list.html", {"processors": processors})


@require_GET
@requires(Perm.EDIT_REGISTER)
def processor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    processor = get_object_or_404(Processor.objects.prefetch_related("activities"), pk=pk)
    return render(request, "processors/detail.html", {"processor": processor})


@require_http_methods(["GET", "POST"])
@requires(Perm.EDIT_REGISTER)
def processor_create(request: HttpRequest) -> HttpResponse:
    return _processor_form(request, None)


@require_http_methods(["GET", "POST"])
@requires(Perm.EDIT_REGISTER)
def processor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _processor_form(request, get_object_or_404(Processor, pk=pk))


def _processor_form(request: HttpRequest, processor: Processor | None) -> HttpResponse:
    """RULES B7: the country and mechanism checked by the action, as for the CLI; errors in place."""
    form = ProcessorForm(request.POST or None, processor=processor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {key: data[key] for key in form.fields if key not in ("name", "activities")}
        activities = [activity.name for activity in data["activities"]]
        try:
            change = do_save_processor(request.user, data["name"], activities, **values)
        except ValidationError as exc:
            add_action_errors(form, exc, _FORM_FIELD)
        else:
            saved = change.processor
            messages.success(request, _("Processor saved: %(name)s.") % {"name": saved.name})
            if saved.transfer_flag is not None:
                messages.warning(request, str(saved.transfer_flag))
            return redirect("processor_detail", pk=saved.pk)
    return render(
        request, "processors/form.html", {"form": form, "processor": processor}
    )  # errors in the page, as the other pages do


@require_http_methods(["GET", "POST"])
@requires(Perm.EDIT_REGISTER)
def processor_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a processor no longer used, after a confirmation; the audit trail keeps its id."""
    processor = get_object_or_404(Processor, pk=pk)
    form = RemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        do_remove_processor(request.user, processor)
        messages.success(request, _("Processor removed: %(name)s.") % {"name": processor.name})
        return redirect("processor_list")
    return render(request, "processors/remove.html", {"processor": processor, "form": form})
