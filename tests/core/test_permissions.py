"""One permission matrix, an allow-list by role (RULES F5): who may do what in licite."""

from __future__ import annotations

import pytest

from licite.core.permissions import MATRIX, Perm, allowed, perms_of

PROSPECT_DATA = {Perm.VIEW_PROSPECTS, Perm.VIEW_PROSPECT_DETAIL, Perm.EXPORT, Perm.IMPORT}


def test_the_matrix_names_every_role_of_licite():
    assert set(MATRIX) == {"admin", "dpo", "marketing", "sales", "communication", "other"}


def test_an_administrator_may_do_everything():
    assert all(allowed("admin", perm) for perm in Perm)


def test_the_dpo_sees_everything_but_sends_nothing_and_leaves_the_accounts_to_the_admin():
    assert perms_of("dpo") == set(Perm) - {Perm.CREATE_CAMPAIGNS, Perm.SEND_CAMPAIGNS, Perm.MANAGE_USERS}


def test_marketing_prospects_exports_and_declares_sources_but_handles_no_legal_duty():
    assert perms_of("marketing") == {
        Perm.VIEW_PROSPECTS,
        Perm.VIEW_PROSPECT_DETAIL,
        Perm.EXPORT,
        Perm.IMPORT,
        Perm.DECLARE_SOURCES,
        Perm.CREATE_CAMPAIGNS,
        Perm.SEND_CAMPAIGNS,
        Perm.RECORD_OBJECTION,  # RULES G3: whoever receives an objection records it
    }


def test_sales_may_not_export_since_export_is_its_own_permission():
    assert allowed("sales", Perm.SEND_CAMPAIGNS)
    assert allowed("sales", Perm.IMPORT)
    assert not allowed("sales", Perm.EXPORT)


def test_communication_writes_campaigns_but_does_not_send_them():
    assert allowed("communication", Perm.CREATE_CAMPAIGNS)
    assert not allowed("communication", Perm.SEND_CAMPAIGNS)
    assert not allowed("communication", Perm.EXPORT)


@pytest.mark.parametrize("perm", list(Perm))
def test_staff_with_no_prospecting_role_may_do_nothing(perm):
    assert not allowed("other", perm)


@pytest.mark.parametrize("role", ["", "hr", "ADMIN", "root"])
def test_a_role_the_matrix_does_not_name_may_do_nothing(role):
    assert perms_of(role) == frozenset()


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_whoever_may_touch_prospect_data_may_see_the_prospects(role):
    if perms_of(role) & PROSPECT_DATA:
        assert allowed(role, Perm.VIEW_PROSPECTS)


def test_the_permissions_are_plain_strings_for_templates_and_the_api():
    assert f"{Perm.EXPORT}" == "export"
    assert "export" in perms_of("marketing")
