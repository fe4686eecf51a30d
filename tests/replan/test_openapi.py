"""Schemathesis against the app's own OpenAPI: no server error, no undocumented answer.

The operations are walked in one test (schemathesis' pytest fixture loader does not work with
this pytest); each operation runs its own Hypothesis search and every failure is reported.
Every check runs but "schema-valid data is accepted": rules across fields (lat goes with lon, a
criterion belongs to the chosen application) cannot be said in JSON Schema, so such requests
rightly answer a documented 422."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

EXAMPLES = 25


def test_every_operation_conforms_to_the_schema(seeded_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", seeded_app)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case) -> None:
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert failures == [], "\n\n".join(failures)


def test_api_docs_come_from_the_app_without_inline_script(seeded_client):
    import re

    page = seeded_client.get("/api/docs")
    assert page.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert all(body.strip() == "" and 'src="/static/' in attrs for attrs, body in scripts)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    assert 'data-openapi-url="/openapi.json"' in page.text
    assert "cdn" not in page.text.lower()
    for asset in re.findall(r'(?:src|href)="(/static/[^"?]+)', page.text):
        assert seeded_client.get(asset).status_code == 200, asset
