"""Survey fixtures for the dashboards' survey trends."""

from careloop.surveys.tests.conftest import invite, make_instrument  # noqa: F401
