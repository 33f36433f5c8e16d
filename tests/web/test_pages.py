"""The web app shell: a login page in French and English, and a dashboard of counts."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_home_page_asks_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("language", "title"), [("fr", "Connexion"), ("en", "Log in")])
def test_the_login_page_speaks_french_and_english(client, language, title):
    response = client.get(reverse("login"), headers={"accept-language": language})
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, owner):
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": "nope"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()


def test_the_dashboard_counts_prospects_for_a_salesperson(client, salesperson):
    call_command("demo", count=40, seed=5)
    client.force_login(salesperson)
    response = client.get(reverse("home"), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert response.context["prospect_count"] >= 35


def test_the_dashboard_shows_no_prospect_figures_to_an_outsider(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("home"), headers={"accept-language": "en"})
    assert "prospect_count" not in response.context
    assert "Your role gives no access to prospects" in response.content.decode()


def test_the_language_can_be_switched(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert "<h1>Log in</h1>" in client.get(reverse("login")).content.decode()
