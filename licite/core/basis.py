"""The legal basis and the first status of a prospect, from the kind of its address (RULES C1-C3)."""

from __future__ import annotations

from dataclasses import dataclass

from licite.core.emails import EmailKind


@dataclass(frozen=True, slots=True)
class BasisDecision:
    audience: str  # "b2b" | "b2c"
    legal_basis: str  # "legitimate_interest" | "consent"
    status: str  # "active" | "consent_pending"
    reason: str


B2B_LEGITIMATE_INTEREST = BasisDecision(
    "b2b",
    "legitimate_interest",
    "active",
    "work address: B2B prospecting on legitimate interest, if the offer relates to the job (RULES C3)",
)
B2C_CONSENT_PENDING = BasisDecision(
    "b2c",
    "consent",
    "consent_pending",
    "private mailbox: a consumer, who may only be asked for consent until it is proved (RULES C1, C2)",
)


def decide_basis(kind: EmailKind) -> BasisDecision:
    """RULES C1-C3: work addresses go B2B on legitimate interest; private mailboxes wait for consent."""
    if kind is EmailKind.PRIVATE:
        return B2C_CONSENT_PENDING
    if kind in (EmailKind.NOMINATIVE, EmailKind.GENERIC):
        return B2B_LEGITIMATE_INTEREST
    raise ValueError(f"no legal basis for an address of kind {kind}")


# decide_basis for each kind of address the gate admits, by the kind's value: the one table the
# column-by-column gate and the import's statements read (RULES C1-C3).
BASIS_BY_KIND: dict[str, BasisDecision] = {
    kind.value: decide_basis(kind) for kind in (EmailKind.NOMINATIVE, EmailKind.GENERIC, EmailKind.PRIVATE)
}
