"""Property-based contract test of the whole REST API with schemathesis, in-process against the WSGI app.

For every operation in /api/v1/openapi.json, a bounded number of generated requests (valid and invalid) are sent
on a small seeded database, as the `manager` (office work) and as the `engineer` (the field operations only he may
call); no answer may be a 5xx, and every answer must match the documented response schema and media type
(errors are `application/problem+json`).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from aftersales.config.api import api
from aftersales.config.wsgi import application

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go through the WSGI handler, whose request signals would close the test's database connection (and
    its transaction) on PostgreSQL; Django's own test client disconnects them the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["manager", "engineer"])
def token(request, db):
    """A small believable dataset: one request through the loop, and a bearer token for the role."""
    from aftersales.accounts.services import token_issue
    from aftersales.core.testing import PNG_1PX, make_assigned_work_order, make_user, region_city
    from aftersales.fieldservice import services as field

    engineer = make_user("engineer", region=region_city())
    work_order = make_assigned_work_order(engineer=engineer)
    field.work_order_accept(actor=engineer, work_order=work_order)
    visit = field.visit_arrive(actor=engineer, work_order=work_order)
    field.visit_record(actor=engineer, visit=visit, values={"outcome": "fixed", "diagnosis": "结垢"})
    field.receipt_sign(actor=engineer, visit=visit, signer_name="张经理", signature_data_url=PNG_1PX)
    user = engineer if request.param == "engineer" else make_user("manager", "manager")
    _, raw = token_issue(user=user)
    return raw


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_answers_no_5xx_and_matches_its_schema(case, token):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}", "Accept-Language": "en"}
    response = case.call(app=application)
    case.validate_response(response, checks=(not_a_server_error, response_schema_conformance,
                                             content_type_conformance))
