"""Unit tests run alone: no network, no PostgreSQL, no subprocess. What needs one of them
belongs in tests/integration (or on a fake); these guards make a slip fail loudly."""

import pytest
from pytest_socket import disable_socket, enable_socket

from tests.unit_boundaries import unit_boundaries


@pytest.fixture(autouse=True)
def _unit_boundaries():
    disable_socket(allow_unix_socket=False)
    with unit_boundaries():
        yield
    enable_socket()
