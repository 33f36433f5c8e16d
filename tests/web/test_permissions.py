"""Every page of the web app, found from the URL resolver, against the permission matrix (RULES F5).

A new page is picked up by itself: it is public (listed below), or asks for a login and
declares the Perm it needs with `licite.web.access.requires`; a page whose parameters this
test cannot fill fails until a sample is added to SAMPLES or PK_MODELS.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from licite.core.permissions import MATRIX, Perm, allowed
from licite.web.access import can, perms_for, requires

pytestmark = pytest.mark.django_db

# Not walked: Django's admin (tests/web/test_admin.py), the language switch, the mail providers' webhooks,
# the REST API (a bearer token, not a login: tests/api/ checks each operation against the matrix).
SKIPPED_NAMESPACES = frozenset({"admin"})
# The API answers JSON to a token, never a page: tests/api walks every operation with every role.
SKIPPED_PREFIXES = ("admin/", "i18n/", "anymail/", "api/", "^api/")
# The pages anyone may open: the person's own links and forms, the privacy policy, logging in.
PUBLIC_PREFIXES = ("rights/", "access/", "privacy/", "u/", "consent/", "r/", "stay/", "static/")
PUBLIC_ROUTES = frozenset({"login/", "logout/", "healthz", "welcome/<str:token>/"})
# The pages for any logged-in user, whatever the role: they show no prospect data.
LOGIN_ONLY = frozenset({"home", "otp_verify", "otp_setup", "quiz", "api_tokens", "api_token_revoke"})
# The model whose first row fills a `pk` (or `id`), by the first segment of the route.
PK_MODELS = {
    "prospects": "prospects.Prospect",
    "sources": "prospects.Source",
    "imports": "prospects.ImportBatch",
    "campaigns": "campaigns.Campaign",
    "rights": "rights.RightsRequest",
    "requests": "rights.RightsRequest",
    "processors": "processors.Processor",
    "register": "register.ProcessingActivity",
    "activities": "register.ProcessingActivity",
    "users": "accounts.User",
    "breaches": "compliance.Breach",
    "audit": "audit.AuditEvent",
}
ROLES = sorted(MATRIX)
LOGIN_REDIRECT = "/login/"
REFUSED = (403, 404)


@dataclass(frozen=True)
class Page:
    route: str
    name: str
    callback: Any
    params: tuple[str, ...]

    @property
    def public(self) -> bool:
        return self.route in PUBLIC_ROUTES or self.route.startswith(PUBLIC_PREFIXES)

    @property
    def perm(self) -> Perm | None:
        view_class = getattr(self.callback, "view_class", None)
        return getattr(self.callback, "licite_perm", None) or getattr(view_class, "licite_perm", None)


def _walk(resolvers: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[Page]:
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            if entry.namespace not in SKIPPED_NAMESPACES:
                yield from _walk(entry.url_patterns, route)
            continue
        params = tuple(entry.pattern.regex.groupindex)
        yield Page(route, entry.name or route, entry.callback, params)


def every_page() -> list[Page]:
    return list(_walk(get_resolver().url_patterns))


PAGES = every_page()


class Fixture:
    """A database with prospects, an outbound message and a user per role; samples for the URLs."""

    def __init__(self, django_user_model: Any) -> None:
        self.users = {
            role: django_user_model.objects.create_user(
                f"user-{role}", password="correct horse battery", role=role
            )
            for role in ROLES
        }
        call_command("demo", count=12, seed=22)
        from licite.campaigns.models import OutboundMessage
        from licite.prospects.models import Prospect

        self.prospect = Prospect.objects.order_by("pk").first()
        assert self.prospect is not None
        self.message = OutboundMessage.objects.create(
            kind="campaign", prospect=self.prospect, key_hash=self.prospect.key_hash,
            to_address=self.prospect.email, to_domain=self.prospect.email.rpartition("@")[2],
            language="fr", subject="Offre", token="walk-every-url-0123456789", queued_at=timezone.now(),
        )  # fmt: skip
        from licite.rights.actions import do_receive_request

        do_receive_request(None, self.prospect.email, "access", "letter")  # fills requests/<int:pk>/
        from licite.campaigns.models import Campaign

        Campaign.objects.create(
            name="walk", purpose="p", offer="o", subject_fr="s", subject_en="s", body_fr="b", body_en="b"
        )  # fills campaigns/<int:pk>/
        self.addresses = sorted({email.lower() for email in Prospect.objects.values_list("email", flat=True)})

    def kwargs(self, page: Page) -> dict[str, Any]:
        return {name: self.sample(page, name) for name in page.params}

    def sample(self, page: Page, name: str) -> Any:
        if name == "token":
            return self.message.token
        if name in {"pk", "id"} or name.endswith("_id") or name.endswith("_pk"):
            return self._pk(page, name)
        pytest.fail(f"{page.route}: no sample for the parameter {name!r}: add one to SAMPLES in {__name__}")

    def _pk(self, page: Page, name: str) -> Any:
        segment = page.route.split("/")[0]
        label = PK_MODELS.get(segment) if name in {"pk", "id"} else None
        label = label or _model_for_param(name)
        if label is None:
            pytest.fail(f"{page.route}: which model does {name!r} name? Add {segment!r} to PK_MODELS")
        row = apps.get_model(label).objects.order_by("pk").first()
        if row is None:
            pytest.fail(f"{page.route}: the fixture database has no {label} to fill {name!r}: create one")
        return row.pk


def _model_for_param(name: str) -> str | None:
    """`prospect_id`, `campaign_pk`...: the model the parameter names, found as PK_MODELS' values."""
    stem = name.rsplit("_", 1)[0]
    return next((label for label in PK_MODELS.values() if label.split(".")[1].lower() == stem), None)


@pytest.fixture
def world(django_user_model):
    return Fixture(django_user_model)


def _url(world: Fixture, page: Page) -> str:
    return reverse(page.name, kwargs=world.kwargs(page)) if page.params else "/" + page.route


def _redirects_to_login(response: Any) -> bool:
    return response.status_code == 302 and str(response["Location"]).startswith(LOGIN_REDIRECT)


def _refused(*statuses: int) -> bool:
    """403 or 404; a 405 for the method the page does not take, so long as the other is refused."""
    return all(status in (*REFUSED, 405) for status in statuses) and any(
        status in REFUSED for status in statuses
    )


def _addresses_in(world: Fixture, response: Any) -> list[str]:
    body = response.content.decode(errors="replace").lower()
    return [address for address in world.addresses if address in body]


def test_the_walk_finds_the_pages_of_the_app():
    names = {page.name for page in PAGES}
    assert {"home", "login", "healthz", "privacy_policy", "unsubscribe", "rights_public"} <= names
    assert not any(page.route.startswith("admin/") for page in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.route or "/")
def test_every_page_is_public_or_declares_what_it_needs(page):
    if not page.public and page.name not in LOGIN_ONLY:
        assert page.perm in set(Perm), (
            f"{page.route}: decorate the view with licite.web.access.requires(Perm.X)"
        )


@pytest.mark.parametrize("page", [page for page in PAGES if page.public], ids=lambda page: page.route)
def test_a_public_page_answers_without_a_login(client, world, page):
    response = client.get(_url(world, page))
    assert not _redirects_to_login(response)
    assert response.status_code < 500


@pytest.mark.parametrize(
    "page", [page for page in PAGES if not page.public], ids=lambda page: page.route or "/"
)
def test_every_other_page_sends_an_anonymous_visitor_to_log_in(client, world, page):
    url = _url(world, page)
    answers = [client.get(url), client.post(url)]
    assert all(_redirects_to_login(answer) or answer.status_code == 405 for answer in answers)
    assert any(_redirects_to_login(answer) for answer in answers)


@pytest.mark.parametrize("role", ROLES)
def test_each_page_lets_in_exactly_the_roles_the_matrix_allows(client, world, role):
    client.force_login(world.users[role])
    wrong = []
    for page in PAGES:
        if page.public or page.perm is None:
            continue
        url = _url(world, page)
        status = client.get(url).status_code
        if allowed(role, page.perm):
            if status >= 400 and status != 405:
                wrong.append(f"{url} ({page.perm}) answered {status} to {role}, whom the matrix allows")
        elif not _refused(status, client.post(url).status_code):
            wrong.append(f"{url} ({page.perm}) did not refuse {role}, whom the matrix does not allow")
    assert wrong == []


def test_staff_with_no_prospecting_role_never_see_an_address(client, world):
    """RULES F5: HR or finance get 403 or 404 where personal data lives, and no address anywhere."""
    client.force_login(world.users["other"])
    shown = {}
    for page in PAGES:
        if page.public:
            continue
        response = client.get(_url(world, page))
        if response.status_code == 200 and _addresses_in(world, response):
            shown[page.route] = _addresses_in(world, response)[:3]
    assert shown == {}


def test_the_addresses_the_test_looks_for_are_there_to_be_found(client, world):
    """The search above would pass on an empty page: the fixture's addresses do show to those allowed."""
    assert world.addresses
    client.force_login(world.users["sales"])
    detail = next((page for page in PAGES if page.perm is Perm.VIEW_PROSPECT_DETAIL), None)
    if detail is not None:
        assert _addresses_in(world, client.get(_url(world, detail)))


@pytest.mark.parametrize(("language", "title"), [("fr", "Accès refusé"), ("en", "Not allowed")])
def test_a_refused_page_says_so_in_french_and_english(client, world, language, title):
    client.force_login(world.users["other"])
    page = next(page for page in PAGES if page.perm is Perm.VIEW_PROSPECTS and not page.params)
    response = client.get(_url(world, page), headers={"accept-language": language})
    assert response.status_code == 403
    assert f"<h1>{title}</h1>" in response.content.decode()


# The Django side of the matrix -----------------------------------------------------------------


def test_anonymous_and_inactive_users_may_do_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    admin = world.users["admin"]
    admin.is_active = False
    assert not any(can(AnonymousUser(), perm) or can(admin, perm) for perm in Perm)
    assert perms_for(AnonymousUser()) == frozenset()


@pytest.mark.parametrize("role", ROLES)
def test_a_user_may_see_prospects_exactly_when_the_matrix_says_so(world, role):
    user = world.users[role]
    assert user.may_see_prospects == can(user, Perm.VIEW_PROSPECTS) == allowed(role, Perm.VIEW_PROSPECTS)


def test_every_template_knows_what_the_user_may_do(client, world):
    client.force_login(world.users["sales"])
    response = client.get(reverse("home"))
    assert response.context["perms_licite"] == MATRIX["sales"]
    assert "export" not in response.context["perms_licite"]


def test_requires_marks_the_view_with_its_permission():
    @requires(Perm.EXPORT)
    def view(request):
        raise AssertionError

    assert getattr(view, "licite_perm", None) is Perm.EXPORT
    assert view.__name__ == "view"
