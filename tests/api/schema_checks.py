"""The ground of tests/api/test_schema.py: the app served in this process with a token per
role, prospects to look for in every answer, and the checks every answer must pass.

The app is Django's own WSGI handler, called in the test's thread: its queries run in the test's
transaction, on SQLite and PostgreSQL alike, and nothing listens on a port.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any

import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from licite.core.permissions import MATRIX, Perm, allowed, perms_of
from tests.conftest import HEADER, import_file

# The least allowed first: a destructive call (an erasure) by a later role cannot hide from an
# earlier one what it would have been shown.
ROLES = tuple(sorted(MATRIX, key=lambda role: len(perms_of(role))))
# The coverage phase's many boundary and malformed inputs go as the role that reaches every
# operation's code (the other roles mostly get the same 422, or a 403); the cases of the other
# phases go as every role.
DEEPEST = "admin"
# Enough calls for a whole run; the real rate is restored afterwards.
GENEROUS_RATE = 10**9


def load_schema() -> Any:
    """The schema as the app serves it, read through the app itself."""
    return schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())


def roles_for(case: Any) -> tuple[str, ...]:
    if case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE:
        return (DEEPEST,)
    return ROLES


class ServedApp:
    """The app on the test database, with a user and a token for each role, a worker's
    heartbeat, and the per-token rate raised for the time of the run.

    Django closes the database connection at the end of each request; inside the test's
    transaction that would break every later query, so, as Django's test client does, the
    connection is kept for the time of the run."""

    def __init__(self, seed: Seed) -> None:
        self.seed = seed
        self.secrets: dict[str, str] = {}
        self.raised: list[str] = []

    def __enter__(self) -> ServedApp:
        from licite.api.api import THROTTLE

        got_request_exception.connect(self._remember, dispatch_uid="schema-run")
        self._rate = (THROTTLE.num_requests, THROTTLE.duration)
        THROTTLE.num_requests = GENEROUS_RATE
        self.secrets = {role: _token_for(role) for role in ROLES}
        _worker_beats()
        return self

    def __exit__(self, *exc: object) -> None:
        from licite.api.api import THROTTLE

        THROTTLE.num_requests, THROTTLE.duration = self._rate
        got_request_exception.disconnect(dispatch_uid="schema-run")
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    def bearer(self, role: str) -> str:
        return f"Bearer {self.secrets[role]}"

    def call_as(self, role: str, case: Any) -> Any:
        """Call the operation with `role`'s token; every check must pass."""
        # Again at each call: Django's test client, used beside the run, connects them back.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        self.seed.ensure()
        if case.meta is not None and case.meta.phase.name == TestPhase.FUZZING:
            _aim_at_real_rows(case)
        checks = [
            *CHECKS,
            self.no_unhandled_exception,
            self.token_accepted,
            personal_data_check(role, self.seed),
        ]
        try:
            return case.call_and_validate(headers={"Authorization": self.bearer(role)}, checks=checks)
        except FailureGroup as failure:
            raise AssertionError(f"as the role {role!r}:\n{failure}") from None

    def _remember(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        self.raised.append(traceback.format_exc())

    def no_unhandled_exception(self, ctx: Any, response: Any, case: Any) -> None:
        """The traceback behind a 500, so that a finding says where it comes from."""
        raised, self.raised[:] = list(self.raised), []
        assert not raised, "the view raised:\n" + "\n".join(raised)

    def token_accepted(self, ctx: Any, response: Any, case: Any) -> None:
        """A 401 to a call that carried one of the run's tokens means the run tested nothing
        past the door (a negative case that drops or garbles the header may get its 401)."""
        sent = response.request.headers.get("Authorization")
        if sent in {self.bearer(role) for role in ROLES}:
            assert response.status_code != 401, "a valid token was refused with 401"


def _aim_at_real_rows(case: Any) -> None:
    """Generated ids find no row (a 404 whose body says little): the generated cases of the
    fuzzing phase name a real one of the resource in the path, so that its answers, the 200s
    included, are checked; the coverage phase keeps its boundary ids."""
    if case.path_parameters:
        found = _real_id(case.operation.path.split("/")[2])
        for name in case.path_parameters if found is not None else ():
            case.path_parameters[name] = found


def _real_id(resource: str) -> int | None:
    from licite.campaigns.models import Campaign
    from licite.prospects.models import ImportBatch, Prospect, Source
    from licite.rights.models import RightsRequest

    rows = {
        "imports": ImportBatch.objects.all(),
        "prospects": Prospect.objects.filter(email__contains="@wombat-forges-"),
        "sources": Source.objects.all(),
        "campaigns": Campaign.objects.all(),
        "rights-requests": RightsRequest.objects.filter(email__contains="@heronsgate-"),
    }.get(resource)
    return None if rows is None else rows.order_by("-pk").values_list("pk", flat=True).first()


def _token_for(role: str) -> str:
    from licite.api.actions import do_create_token

    user = get_user_model().objects.create_user(f"schema-{role}", f"schema-{role}@acme.example", role=role)
    return do_create_token(None, user, f"schemathesis as {role}")[1]


def _worker_beats() -> None:
    """A worker's heartbeat, as `licite worker` writes it, so that /api/ready answers 200: its
    503 says a part is missing, and none is in this run."""
    from licite.campaigns.workers import Heartbeat

    Heartbeat().beat()


class Seed:
    """People found nowhere else, in the two kinds of personal data the API holds: prospects,
    imported through the real gate, and a person's rights request, received as from a letter.
    `ensure` makes a new generation of either when a generated call erased it: erasure
    suppresses the address for good, so the same rows would not come back (RULES G4)."""

    PEOPLE = 3

    def __init__(self, write_csv: Callable[..., str]) -> None:
        self.write_csv = write_csv
        self.generations = count(1)
        self.prospect_markers: set[str] = set()
        self.requester_markers: set[str] = set()
        self.emails: list[str] = []
        self.requester = ""

    def ensure(self) -> None:
        from licite.campaigns.models import Campaign
        from licite.prospects.models import Prospect
        from licite.rights.models import RightsRequest

        if not self.emails or Prospect.objects.filter(email__in=self.emails).count() < self.PEOPLE:
            self._import(next(self.generations))
        if not self.requester or not RightsRequest.objects.filter(email=self.requester).exists():
            self._receive(next(self.generations))
        if not Campaign.objects.exists():
            _campaign()

    def _import(self, generation: int) -> None:
        people = [_person(generation, number) for number in range(self.PEOPLE)]
        lines = "".join(";".join(person) + ";;France\n" for person in people)
        report = import_file(self.write_csv(HEADER + lines, f"seed-{generation}.csv"))
        assert report["created"] == self.PEOPLE, report
        self.emails = [person[2] for person in people]
        for first, last, email, job, company, phone in people:
            national = phone.replace(" ", "")[1:]  # a phone is kept as +33…: its national digits
            names = (part.lower() for part in (first, last, job, company))
            self.prospect_markers |= {email, email.split("@")[0], national, *names}

    def _receive(self, generation: int) -> None:
        from licite.rights.actions import do_receive_request

        self.requester = f"ottoline{generation}.brackenbury@heronsgate-{generation}.example"
        do_receive_request(None, self.requester, "access", "letter", identity_check="signed letter")
        self.requester_markers |= {self.requester, self.requester.split("@")[0]}

    def hidden_from(self, role: str) -> set[str]:
        """RULES F5: the seeded data this role's permissions do not let it see."""
        hidden: set[str] = set()
        if not (allowed(role, Perm.VIEW_PROSPECTS) or allowed(role, Perm.VIEW_PROSPECT_DETAIL)):
            hidden |= self.prospect_markers
        if not allowed(role, Perm.HANDLE_RIGHTS):
            hidden |= self.requester_markers
        return hidden


def _campaign() -> None:
    """A campaign to read, preview and send (it is no one's personal data)."""
    from licite.campaigns.actions import do_create_campaign

    do_create_campaign(
        None, name="Ornithopters", purpose="Prospecting", offer="Ornithopter servicing", audience="b2c",
        functions=[], subject_fr="Offre", subject_en="Offer", body_fr="Bonjour", body_en="Hello",
    )  # fmt: skip


def _person(generation: int, number: int) -> tuple[str, str, str, str, str, str]:
    tag = f"{generation}x{number}"
    first, last, company = f"Zephyrine{tag}", f"Quillfeather{tag}", f"Wombat Forges {tag}"
    email = f"zephyrine{tag}.quillfeather{tag}@wombat-forges-{tag}.example"
    phone = f"01 47 {generation % 100:02d} {number % 100:02d} 58"
    return first, last, email, f"Chief Ornithopter Officer {tag}", company, phone


def leaked(markers: set[str], response: Any) -> list[str]:
    """The markers found in an answer, in its raw text or in its decoded JSON strings (which
    undoes `\\u00e9`); a phone counts in any layout (`+33 1 47…`, `0147…`)."""
    texts = _texts(response.content)
    texts += ["".join(ch for ch in text if ch.isdigit()) for text in texts[1:]]
    return sorted(marker for marker in markers if any(marker in text for text in texts))


def _texts(content: bytes) -> list[str]:
    text = content.decode("utf-8", errors="replace")
    try:
        decoded = json.loads(text)
    except ValueError:
        return [text.lower()]
    return [text.lower(), *(item.lower() for item in _strings(decoded))]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def personal_data_check(role: str, seed: Seed) -> Callable[..., None]:
    """RULES F5, A1: a role finds none of the seeded people's data that its permissions do not
    let it see in any answer, whatever the operation and the input."""

    def no_personal_data_beyond_this_roles_permissions(ctx: Any, response: Any, case: Any) -> None:
        found = leaked(seed.hidden_from(role), response)
        assert not found, f"the role {role!r} received personal data it may not see: {found}"

    return no_personal_data_beyond_this_roles_permissions


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
