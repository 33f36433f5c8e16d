"""Schemathesis against the schema the app serves, with a token of each role (issue 23).

Every operation of /api/openapi.json is called with generated data through the real app (its
WSGI handler, in this process, on the test database) with the token of each role of the
permission matrix. Every answer must be no server error; have a status, a content type and a
body that the schema documents; and hold no personal data of the seeded people that the role
may not see: prospects without VIEW_PROSPECTS, a rights request's author without HANDLE_RIGHTS
(RULES F5). The tests after it show that each of the run's own checks can fail.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from licite.api.api import THROTTLE
from licite.api.models import ApiToken
from licite.prospects.models import Prospect
from licite.rights.actions import do_erase
from tests.api.schema_checks import (
    GENEROUS_RATE,
    Seed,
    ServedApp,
    leaked,
    load_schema,
    personal_data_check,
    roles_for,
)

pytestmark = pytest.mark.django_db

schema = load_schema()
# Few examples per operation, the same ones each run (derandomize): every operation as every role
# within a minute per database; the coverage phase adds its boundary cases. For a deeper run:
# LICITE_SCHEMA_EXAMPLES=100 pytest tests/api/test_schema.py
EXAMPLES = settings(
    max_examples=int(os.environ.get("LICITE_SCHEMA_EXAMPLES", "6")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def served(db, write_csv, source):
    """The app on the test database, a token per role, prospects to look for."""
    with ServedApp(Seed(write_csv)) as app:
        yield app


@schema.parametrize()
@EXAMPLES
def test_every_operation_answers_as_its_schema_says_to_every_role(case, served):
    for role in roles_for(case):
        served.call_as(role, case)


def test_the_seeded_people_reach_a_role_allowed_to_see_them_and_the_check_would_catch_them(served, api_as):
    served.seed.ensure()
    answer = api_as("marketing").get("/api/prospects", {"limit": 200})
    assert answer.status_code == 200
    assert leaked(served.seed.prospect_markers, answer)
    personal_data_check("marketing", served.seed)(None, answer, None)
    with pytest.raises(AssertionError, match="'other' received personal data"):
        personal_data_check("other", served.seed)(None, answer, None)


def test_a_rights_request_reaches_only_the_roles_that_handle_rights(served, api_as):
    served.seed.ensure()
    answer = api_as("dpo").get("/api/rights-requests", {"state": "all"})
    assert answer.status_code == 200
    assert leaked(served.seed.requester_markers, answer)
    personal_data_check("dpo", served.seed)(None, answer, None)
    with pytest.raises(AssertionError, match="'marketing' received personal data"):
        personal_data_check("marketing", served.seed)(None, answer, None)


def test_an_erased_seed_is_imported_again_under_new_names(served):
    served.seed.ensure()
    first = set(served.seed.emails)
    erased = Prospect.objects.filter(email__in=first)[0]
    do_erase(None, [erased.key_hash], "erasure", channel="staff")
    served.seed.ensure()
    assert not first & set(served.seed.emails)
    assert Prospect.objects.filter(email__in=served.seed.emails).count() == Seed.PEOPLE
    assert erased.email in served.seed.prospect_markers  # the first generation is still looked for


def test_a_refused_token_fails_the_run(served):
    ApiToken.objects.filter(user__username="schema-admin").update(revoked_at="2026-01-01T00:00:00Z")
    case = schema["/api/me"]["GET"].Case()
    with pytest.raises(AssertionError, match="a valid token was refused with 401"):
        served.call_as("admin", case)


def test_an_answer_outside_the_schema_fails_the_run(served):
    case = schema["/api/me"]["GET"].Case()
    assert served.call_as("other", case).status_code == 200
    case.path = "/api/healthz"  # /healthz's body where /me's is documented
    with pytest.raises(AssertionError, match="Response violates schema"):
        served.call_as("other", case)


def test_the_run_raises_the_token_rate_and_restores_it(write_csv):
    before = THROTTLE.num_requests
    with ServedApp(Seed(write_csv)):
        assert THROTTLE.num_requests == GENEROUS_RATE
    assert THROTTLE.num_requests == before
