"""Fulfilment's tests run many calls to the fake CDEK on a loaded machine: a slower timeout than the delivery
tests' (those test what a hanging CDEK costs a customer; here a fault is set when a test wants one)."""

import pytest


@pytest.fixture
def fake_cdek(fake_cdek, settings):
    settings.CDEK_TIMEOUT = 5
    return fake_cdek
