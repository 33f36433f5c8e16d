"""The inspection pack page (RULES H, H2): what the pack holds, and a POST that builds it with
licite.compliance.pack, as `licite pack` does (same function, same audit entry), and downloads it.

The ZIP is built in a private temporary directory and unlinked as soon as it is opened: the open
file is streamed to the browser and its space freed when the response closes it. Building runs in
the request: at a million prospects it takes the time of the audit export (see the report in
issue 22); move it to the worker if that grows past what a request may take.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from licite.accounts.models import Organisation
from licite.compliance.pack import PARTS, PackError, build_pack
from licite.core.permissions import Perm
from licite.web.access import requires


class PackForm(forms.Form):
    lang = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("fr", gettext_lazy("French")), ("en", gettext_lazy("English"))],
    )
    since = forms.DateField(
        label=gettext_lazy("Audit trail and requests from"),
        required=False,
        help_text=gettext_lazy("Empty: from the beginning."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_since(self) -> date | None:
        since: date | None = self.cleaned_data["since"]
        if since is not None and since > timezone.localdate():
            raise forms.ValidationError(_("This day is in the future."))
        return since


@require_http_methods(["GET", "POST"])
@requires(Perm.READ_AUDIT)
def pack(request: HttpRequest) -> HttpResponse:
    """GET: the page; POST: the ZIP, built by build_pack and recorded with its SHA-256."""
    organisation = Organisation.current()
    form = PackForm(request.POST or None, initial={"lang": _default_language(organisation)})
    context: dict[str, Any] = {
        "form": form,
        "organisation": organisation,
        "parts": [title for _key, title, _b in PARTS],
    }
    if request.method != "POST":
        return render(request, "compliance/pack.html", context)
    if organisation is None:
        context["problem"] = _("The organisation's profile is not set: run `licite init` first.")
        return render(request, "compliance/pack.html", context)
    if not form.is_valid():
        return render(request, "compliance/pack.html", context)
    try:
        return _download(request, form.cleaned_data["lang"], form.cleaned_data["since"])
    except PackError as exc:
        context["problem"] = str(exc)
        return render(request, "compliance/pack.html", context)


def _download(request: HttpRequest, language: str, since: date | None) -> HttpResponse:
    """`licite pack --since`: from the day's first moment in licite's time zone."""
    start = timezone.make_aware(datetime.combine(since, time.min)) if since else None
    directory = Path(tempfile.mkdtemp(prefix="licite-pack-web-"))
    try:
        name = f"{_FILE_NAMES[language]}-{timezone.localdate():%Y-%m-%d}.zip"
        built = build_pack(request.user, directory / name, language, start)
        handle = open(built.path, "rb")  # noqa: SIM115  (closed by the FileResponse)
        os.unlink(built.path)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")
    return cast(HttpResponse, response)  # streamed: what `requires` passes on is a response all the same


_FILE_NAMES = {"fr": "pack-inspection-cnil", "en": "cnil-inspection-pack"}


def _default_language(organisation: Organisation | None) -> str:
    return organisation.default_language if organisation else str(settings.LANGUAGE_CODE)[:2]
