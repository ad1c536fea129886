"""What the contact centre needs of a telephony and SMS provider. ``providers.twilio`` is the one
implementation; another provider adds a module here and an entry in ``PROVIDERS``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class ProviderError(Exception):
    """The provider refused a request or could not be reached. ``retryable``: trying again later
    may work (network trouble, the provider's own errors, rate limits); otherwise the request itself
    is wrong (an invalid number, bad credentials) and a retry would fail the same way."""

    def __init__(self, message: str, *, code: str = "", retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


@dataclass(frozen=True)
class Placed:
    """A call or message the provider accepted: its id and first status."""

    sid: str
    status: str


class TelephonyProvider(Protocol):
    def place_call(self, *, agent_number: str, customer_number: str, caller_id: str, status_callback: str) -> Placed:
        """Ring ``agent_number``; when the agent answers, connect them to ``customer_number``."""
        ...

    def send_sms(self, *, to: str, sender: str, body: str, status_callback: str) -> Placed: ...

    def is_valid_request(self, *, url: str, params: Mapping[str, str], signature_header: str) -> bool:
        """Whether a callback really comes from the provider for this account."""
        ...

    def ring_agents(self, agents: list[tuple[str, str]], *, caller_id: str, status_callback: str) -> tuple[str, str]:
        """The answer to an inbound call that rings the agents' phones, given as (number, the URL the
        provider calls when that phone answers): (body, content type)."""
        ...

    def connect_answered(self) -> tuple[str, str]:
        """The answer to the "this phone answered" call: connect the agent to the caller."""
        ...
