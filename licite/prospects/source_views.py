"""The sources pages: declare a source, assess it with a balancing test, see the imports it fed,
download its balancing tests (RULES B2-B4, C4). Through the actions `licite sources` uses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from licite.core.permissions import Perm
from licite.core.sources import may_collect_from
from licite.lib.refusals import source_reasons, terms_text
from licite.prospects import balancing
from licite.prospects.actions import do_assess_source, do_save_source, source_facts
from licite.prospects.forms import AssessForm, SourceForm
from licite.prospects.models import ImportBatch, Source
from licite.web.access import requires
from licite.web.forms import add_action_errors
from licite.web.paging import keyset_page, page_key

BATCHES_PAGE = 50
# The assessment's field names in do_assess_source's errors, where the form names them otherwise.
ASSESS_FIELDS = {"review_date": "review_on"}
DOCUMENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@require_GET
@requires(Perm.VIEW_PROSPECTS)  # no personal data; who imports picks a source here
def source_list(request: HttpRequest) -> HttpResponse:
    """Every declared source, its latest balancing test and whether it may feed an import."""
    rows = [_summary(source) for source in Source.objects.order_by("name")]
    return render(request, "prospects/source_list.html", {"rows": rows})


def _summary(source: Source) -> dict[str, Any]:
    decision = may_collect_from(source_facts(source), legitimate_interest=True)
    reasons = source_reasons(decision)  # in the reader's language
    return {
        "source": source,
        "terms": terms_text(source.terms_reference),  # a known platform's, in the reader's language
        "test": balancing.latest_test(source),
        "decision": decision,
        "reasons": reasons,
    }


@require_GET
@requires(Perm.VIEW_PROSPECTS)  # as `licite sources show`
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A source's terms, its balancing tests and the imports it fed, with their counts."""
    source = get_object_or_404(Source, pk=pk)
    after, before = page_key(request, "after"), page_key(request, "before")
    batches = ImportBatch.objects.filter(source=source).select_related("imported_by")
    page = keyset_page(batches, after=after, before=before, size=BATCHES_PAGE)
    tests = source.balancing_tests.select_related("activity", "assessed_by", "source")
    context = {
        **_summary(source),
        "tests": [(test, balancing.test_parts(test), balancing.concern_texts(test)) for test in tests],
        "page": page,
    }
    return render(request, "prospects/source_detail.html", context)


@require_http_methods(["GET", "POST"])
@requires(Perm.DECLARE_SOURCES)
def source_create(request: HttpRequest) -> HttpResponse:
    """RULES B3, B4: declare a source as `licite sources add` does; a method the platform's
    terms refuse is refused, naming the field."""
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {name: value for name, value in form.cleaned_data.items() if name != "name"}
        try:
            change = do_save_source(request.user, form.cleaned_data["name"], new=True, **values)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            for warning in change.warnings:
                messages.warning(request, warning)
            messages.success(request, _("Source declared: %(name)s") % {"name": change.source.name})
            return redirect("source_detail", pk=change.source.pk)
    return render(request, "prospects/source_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@requires(Perm.DECLARE_SOURCES)
def source_assess(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES C4: record a written balancing test as `licite sources assess` does."""
    source = get_object_or_404(Source, pk=pk)
    form = AssessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            test = do_assess_source(
                request.user, source, data["interest"], data["expectations"], data["safeguards"],
                necessity=data["necessity"], conclusion=data["conclusion"],
                conclusion_text=data["conclusion_text"], activity=data["activity"],
                review_on=data["review_on"],
            )  # fmt: skip
        except ValidationError as exc:
            add_action_errors(form, exc, ASSESS_FIELDS)
        else:
            messages.success(
                request,
                _("Balancing test recorded; to be reviewed by %(date)s.")
                % {"date": f"{test.review_on:%Y-%m-%d}"},
            )
            for concern in balancing.concern_texts(test):
                messages.warning(request, concern)
            return redirect("source_detail", pk=source.pk)
    return render(request, "prospects/source_assess.html", {"form": form, "source": source})


@require_http_methods(["GET", "POST"])
@requires(Perm.DECLARE_SOURCES)
def source_balancing(request: HttpRequest, pk: int) -> HttpResponse:
    """RULES C4: the source's balancing tests as a document (HTML or PDF), like
    `licite sources balancing-export`; every download is an audit entry, so it takes a POST: a
    GET (a prefetcher, a crawler) is sent to the source's page, which has the form."""
    source = get_object_or_404(Source, pk=pk)
    if request.method != "POST":
        return redirect(reverse("source_detail", kwargs={"pk": pk}) + "#balancing-export")
    fmt = request.POST.get("format", "")
    fmt = fmt if fmt in DOCUMENT_TYPES else "html"
    language = (request.POST.get("lang") or translation.get_language() or "fr")[:2]
    language = language if language in ("fr", "en") else "fr"
    data = balancing.do_export_balancing(request.user, language, fmt, [source])
    response = HttpResponse(data, content_type=DOCUMENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="balancing-{source.pk}.{fmt}"'
    return response
