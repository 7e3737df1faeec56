"""Fixtures for routecheck's own tests: a real reference gateway on loopback."""

from __future__ import annotations

import pytest

from conformance.target import BundledGateway, new_key


@pytest.fixture(scope="session")
def gateway_key() -> str:
    return new_key()


@pytest.fixture(scope="session")
def gateway(gateway_key: str):
    """The bundled multi-profile gateway in a child process: /p/{profile}/f/{fault}/v1/..."""
    with BundledGateway(gateway_key) as running:
        yield running


def pytest_configure(config: pytest.Config) -> None:
    # an exception that kills one of routecheck's threads (the sender's receiving thread, a sending thread)
    # is a bug even when the test around it passed
    config.addinivalue_line("filterwarnings", "error::pytest.PytestUnhandledThreadExceptionWarning")
