"""A request in another language leaves that language active in the test's thread (Django's locale
middleware activates it and nothing resets it after the response): put the default back after
each test, so later tests that call services directly read English messages."""

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language_after_the_test() -> Iterator[None]:
    yield
    translation.deactivate()
