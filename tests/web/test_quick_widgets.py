"""The list pages' quick widgets (licite.web.forms.QuickSelect, QuickTextInput) write the same
markup as Django's own templates, and the header's organisation name, kept a while by each
process, follows a change at once."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html
from django.urls import reverse

from licite.accounts.actions import do_set_organisation
from licite.prospects.forms import ProspectFilterForm
from licite.web.forms import QuickSelect, QuickTextInput
from licite.web.templatetags import licite_shell


def django_markup(bound: forms.BoundField) -> str:
    """The field as Django's own widget template renders it, with the same attributes."""
    widget = bound.field.widget
    if isinstance(widget, QuickSelect):
        own: forms.Widget = forms.Select(attrs=widget.attrs, choices=widget.choices)
    else:
        own = forms.TextInput(attrs=widget.attrs)
    return str(bound.as_widget(widget=own))


def assert_same_markup(form: forms.Form) -> None:
    quick = [
        name for name, field in form.fields.items() if isinstance(field.widget, (QuickSelect, QuickTextInput))
    ]
    assert quick, "the filter form has no quick widget left"
    for name in quick:
        bound = form[name]
        assert parse_html(str(bound)) == parse_html(django_markup(bound)), name


def test_an_empty_filter_form_renders_as_django_would(db):
    assert_same_markup(ProspectFilterForm())


def test_chosen_values_and_names_to_escape_render_as_django_would(source):
    source.name = 'Salon <Lyon> & "Co"'
    source.save()
    form = ProspectFilterForm(
        {"q": '<b>"x"</b> & co', "field": "name", "source": source.pk, "basis": "consent", "status": "active"}
    )
    assert form.is_valid(), form.errors
    assert_same_markup(form)
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; co" in str(form["q"])
    assert "Salon &lt;Lyon&gt; &amp; &quot;Co&quot;" in str(form["source"])


def test_a_field_in_error_keeps_its_aria_attributes(db):
    form = ProspectFilterForm({"q": "not an address@", "field": "address", "basis": "neither"})
    assert not form.is_valid()
    assert_same_markup(form)
    assert 'aria-invalid="true"' in str(form["basis"])


def test_grouped_choices_fall_back_to_django_s_template():
    widget = QuickSelect(choices=[("Group", [("a", "A"), ("b", "B")]), ("c", "C")])
    assert parse_html(widget.render("pick", "b")) == parse_html(forms.Select.render(widget, "pick", "b"))
    assert "<optgroup" in widget.render("pick", "b")


@pytest.fixture
def fresh_header_name(db):
    """An organisation, and no name kept from an earlier test."""
    licite_shell._clear_name()
    do_set_organisation(
        None, legal_name="Acme Conseil SAS", address="1 rue de la Paix, 75002 Paris",
        siren="912345675", contact_email="contact@acme-conseil.example", default_language="fr",
    )  # fmt: skip
    yield
    licite_shell._clear_name()


def header_name(client) -> str:
    html = client.get(reverse("prospect_list")).content.decode()  # a page with no `organisation` of its own
    start = html.index('id="organisation-name">') + len('id="organisation-name">')
    return html[start : html.index("<", start)]


def test_the_header_shows_a_new_organisation_name_at_once(client, salesperson, fresh_header_name):
    client.force_login(salesperson)
    assert header_name(client) == "Acme Conseil SAS"
    do_set_organisation(None, legal_name="Acme Prospection SAS")
    assert header_name(client) == "Acme Prospection SAS"


def test_a_change_made_by_another_process_shows_once_the_name_is_old(
    client, salesperson, fresh_header_name, monkeypatch
):
    from licite.accounts.models import Organisation

    client.force_login(salesperson)
    assert header_name(client) == "Acme Conseil SAS"
    Organisation.objects.update(legal_name="Acme Ailleurs SAS")  # no signal here, as in another process
    assert header_name(client) == "Acme Conseil SAS"
    monkeypatch.setattr(licite_shell, "HEADER_NAME_SECONDS", 0.0)
    assert header_name(client) == "Acme Ailleurs SAS"
