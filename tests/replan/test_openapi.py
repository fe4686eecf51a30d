"""Schemathesis against the app's own OpenAPI: no server error, no undocumented answer."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from replan.app import create_app


@pytest.fixture(scope="module")
def api_schema(seeded_runtime):
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(seeded_runtime.settings,
                                                                      seeded_runtime))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    case.call_and_validate()
