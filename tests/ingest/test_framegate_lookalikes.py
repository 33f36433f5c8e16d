"""The vectorized gate refuses look-alike domains exactly as the row gate does (RULES A4)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.test_emails import LOOKALIKES
from tests.ingest.test_framegate import MAPPINGS, both

GENUINE = [
    "jean@café.fr",
    "ivan@пример.рф",
    "hans@xn--bcher-kva.de",
    "jean.dupont@gmail.com",
    "contact@acme.fr",
]
ADDRESSES = [raw for raw, _ in LOOKALIKES] + GENUINE


def row(address: str) -> list[str]:
    return ["Jeanne", "Dupont", address, "Acheteuse", "Acme", "", "France", "", "", "x", ""]


def test_the_frame_gate_rejects_look_alike_domains_as_the_row_gate_does():
    by_row, by_column = both(MAPPINGS[0], [row(address) for address in ADDRESSES], keep_phone=False)

    assert by_column == by_row
    assert [rejected.reason for rejected in by_column.rejected] == [
        f"invalid address: {reason}" for _, reason in LOOKALIKES
    ]
    assert by_column.staged.height == len(GENUINE)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(ADDRESSES), min_size=1, max_size=30))
def test_both_gates_agree_on_any_mix_of_look_alike_and_genuine_domains(addresses):
    by_row, by_column = both(MAPPINGS[0], [row(address) for address in addresses], keep_phone=False)

    assert by_column == by_row
