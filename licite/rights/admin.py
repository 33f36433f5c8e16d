from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licite.accounts.admin_access import PersonalDataAdmin, ReadOnlyAdmin, may_see_prospects
from licite.core.emails import InvalidEmail
from licite.core.suppression import suppression_hash
from licite.lib.keyhash import is_key_hash
from licite.rights.actions import (
    RightsError,
    do_fulfil_request,
    do_lift_restriction,
    do_move_request,
    overdue_requests,
    requests_due_soon,
)
from licite.rights.models import (
    ConsentRecord,
    IntakeAttempt,
    QueuedJob,
    RequestState,
    RightsRequest,
    SuppressionEntry,
)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin, PersonalDataAdmin):
    """RULES G5: the proof of consent is written by the person's own click, never by hand."""

    list_display = (
        "prospect",
        "purpose",
        "wording_version",
        "channel",
        "requested_at",
        "given_at",
        "withdrawn_at",
    )
    list_filter = ("channel", "wording_version", "requested_at")
    search_fields = ("prospect__email", "purpose")
    raw_id_fields = ("prospect",)


@admin.register(SuppressionEntry)
class SuppressionEntryAdmin(ReadOnlyAdmin, PersonalDataAdmin):
    list_display = ("key_hash", "reason", "created_at", "keep_until")
    list_filter = ("reason", "created_at")
    search_fields = ("key_hash",)
    search_help_text = _(
        "Type an email address (it is hashed) or a whole keyed hash: only its entry is shown (RULES F4)."
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[SuppressionEntry], search_term: str
    ) -> tuple[QuerySet[SuppressionEntry], bool]:
        if "@" in search_term:
            try:
                digest = suppression_hash(search_term, settings.SUPPRESSION_KEY)
            except InvalidEmail:
                return queryset.none(), False
            return queryset.filter(key_hash=digest), False
        # A hash as the admin shows it, whole: never a part of one (it is stored as bytes).
        term = search_term.strip().lower()
        if not term:
            return queryset, False
        return (queryset.filter(key_hash=term) if is_key_hash(term) else queryset.none()), False


class DeadlineFilter(admin.SimpleListFilter):
    """RULES G1: the open requests past their due day, and those due within 7 days."""

    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("Overdue")), ("soon", _("Due within 7 days"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        chosen = {"overdue": overdue_requests, "soon": requests_due_soon}.get(self.value() or "")
        return queryset.filter(pk__in=chosen().values("pk")) if chosen else queryset


@admin.register(RightsRequest)
class RightsRequestAdmin(ReadOnlyAdmin, PersonalDataAdmin):
    """The requests and their deadlines. Nothing is edited by hand: every change of state goes
    through the actions (licite.rights.actions), which audit it and tell the person; refusals and
    extensions, which need a reason told to the person, are made with `licite rights`."""

    list_display = ("__str__", "kind", "state", "channel", "email", "received_at", "due_on", "overdue")
    list_filter = (DeadlineFilter, "state", "kind", "channel", "received_at")
    search_fields = ("email",)
    search_help_text = _(
        "Type an email address (it is hashed: the requests of an erased person are found too) "
        "or a request number."
    )
    actions = ("mark_in_progress", "mark_awaiting_identity", "mark_awaiting_precision", "fulfil", "lift")

    @admin.display(boolean=True, description=_("overdue"))
    def overdue(self, obj: RightsRequest) -> bool:
        return obj.is_open and obj.due_on < timezone.localdate()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[RightsRequest], search_term: str
    ) -> tuple[QuerySet[RightsRequest], bool]:
        term = search_term.strip()
        if "@" in term:
            try:
                return queryset.filter(key_hash=suppression_hash(term, settings.SUPPRESSION_KEY)), False
            except InvalidEmail:
                return queryset.none(), False
        if term.lstrip("#").isdigit():
            return queryset.filter(pk=int(term.lstrip("#"))), False
        return super().get_search_results(request, queryset, search_term)

    def has_act_permission(self, request: HttpRequest) -> bool:
        """Who may move a request: a role that sees prospects (RULES F5) with the change right."""
        return may_see_prospects(request) and request.user.has_perm("rights.change_rightsrequest")

    @admin.action(description=_("Mark as in progress"), permissions=["act"])
    def mark_in_progress(self, request: HttpRequest, queryset: QuerySet[RightsRequest]) -> None:
        self._each(request, queryset, lambda r: do_move_request(request.user, r, RequestState.IN_PROGRESS))

    @admin.action(description=_("Mark as awaiting identity confirmation"), permissions=["act"])
    def mark_awaiting_identity(self, request: HttpRequest, queryset: QuerySet[RightsRequest]) -> None:
        self._each(
            request, queryset, lambda r: do_move_request(request.user, r, RequestState.AWAITING_IDENTITY)
        )

    @admin.action(description=_("Mark as awaiting the person's precision"), permissions=["act"])
    def mark_awaiting_precision(self, request: HttpRequest, queryset: QuerySet[RightsRequest]) -> None:
        self._each(
            request, queryset, lambda r: do_move_request(request.user, r, RequestState.AWAITING_PRECISION)
        )

    @admin.action(
        description=_("Fulfil (access: send the link; erasure, objection: erase; restriction)"),
        permissions=["act"],
    )
    def fulfil(self, request: HttpRequest, queryset: QuerySet[RightsRequest]) -> None:
        self._each(request, queryset, lambda r: do_fulfil_request(request.user, r))

    @admin.action(description=_("Lift the restriction"), permissions=["act"])
    def lift(self, request: HttpRequest, queryset: QuerySet[RightsRequest]) -> None:
        self._each(request, queryset, lambda r: do_lift_restriction(request.user, r))

    def _each(
        self, request: HttpRequest, queryset: QuerySet[RightsRequest], step: Callable[[RightsRequest], Any]
    ) -> None:
        """One action per request, each in its own transaction: one refusal stops no other."""
        done = 0
        for rights_request in queryset.order_by("pk"):
            try:
                step(rights_request)
            except RightsError as exc:
                message = _("Request #%(id)s was not changed: %(reason)s")
                self.message_user(request, message % {"id": rights_request.pk, "reason": exc}, messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)s request(s) changed.") % {"count": done}, messages.SUCCESS)


@admin.register(IntakeAttempt)
class IntakeAttemptAdmin(ReadOnlyAdmin, PersonalDataAdmin):
    """The links sent from the public page in the last hour, by keyed hash: the rate limits."""

    list_display = ("scope", "key", "at")
    list_filter = ("scope", "at")
    search_fields = ("key",)


@admin.register(QueuedJob)
class QueuedJobAdmin(ReadOnlyAdmin):
    """The task last enqueued for each job that runs one at a time (the purge, the mailbox's
    reading): the worker's, never typed in."""

    list_display = ("job", "task_id", "enqueued_at")
    list_filter = ("job",)
    search_fields = ("job", "task_id")
