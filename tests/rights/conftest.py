"""The campaigns' fixtures (a real SMTP server on loopback, the organisation, imported prospects)."""

from tests.campaigns.conftest import organisation, prospects, smtp  # noqa: F401
