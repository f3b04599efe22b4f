"""Property-based run of the whole API against its own OpenAPI document (schemathesis).

Every operation gets a bounded number of generated requests, valid and invalid; none may answer 500 or with a
body, status or header the schema does not document. Requests go straight into the WSGI app, signed in as staff
so that the write operations run their validation too.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from catalog.tests.factories import ProductFactory
from conftest import client_for
from pages.tests.factories import PageFactory
from preorders.tests.factories import PreorderProductFactory

# Bounded so `make test` stays quick and repeatable; `SCHEMATHESIS_EXAMPLES=200` explores further, at random
# (`SCHEMATHESIS_DERANDOMIZE=true` keeps a larger run repeatable, as `.ci/run` does).
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
DERANDOMIZE = "SCHEMATHESIS_EXAMPLES" not in os.environ or os.environ.get("SCHEMATHESIS_DERANDOMIZE") == "true"

# YooKassa's notification endpoint answers only YooKassa's own networks; it has its own tests.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application()).exclude(
    path_regex=r"payments/yookassa"
)


@pytest.fixture
def shop(db, settings, fake_yookassa, fake_cdek):
    settings.THROTTLE_ENABLED = False
    ProductFactory(stock={"S": 3, "M": 1})
    PreorderProductFactory()
    PageFactory(slug="about")
    # Requests go through the real WSGI handler, whose request signals would close the connection that holds the
    # test's transaction (as Django's own test client avoids, so do we).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=DERANDOMIZE,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, shop, staff_user):
    token = client_for(staff_user)._credentials["HTTP_AUTHORIZATION"]
    # Whether a schema-valid value passes the shop's rules (a real phone number, a known product) is for the
    # endpoint tests; here every answer must be documented, well formed and never a server error.
    case.call_and_validate(
        headers={"Authorization": token}, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )
