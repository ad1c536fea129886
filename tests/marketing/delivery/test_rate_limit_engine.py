"""The engine under the tenant's rate (a simulated clock: no test waits for real seconds): a
message per token, a short wait slept inline, a long one gives the batch back."""

from __future__ import annotations

from tests.marketing.delivery.test_rate_limit import START


class FakeClock:
    def __init__(self) -> None:
        self.now = START
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_the_engine_paces_messages_by_the_workspaces_rate(alpha, smtp_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from modules.marketing.delivery.services import engine
    from modules.marketing.delivery.services.sends import start_send
    from tests.marketing.delivery.conftest import audience, marketing_email, unlimited_rate

    clock = FakeClock()
    monkeypatch.setattr(engine, "clock", clock.time)
    monkeypatch.setattr(engine, "sleep", clock.sleep)
    with alpha.active():
        unlimited_rate(messages_per_minute=60)
        segment, _contacts = audience(4)
        email = marketing_email(segment)
        start_send(email, by=None)

        outcome = engine.deliver(email.pk)

    assert outcome.sent == 4
    assert clock.sleeps == [1.0, 1.0, 1.0]
    assert len(smtp_server.messages) == 4


def test_a_long_wait_gives_the_batch_back_instead_of_holding_the_worker(alpha, smtp_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from modules.marketing.delivery.models import Recipient
    from modules.marketing.delivery.services import engine
    from modules.marketing.delivery.services.sends import start_send
    from tests.marketing.delivery.conftest import audience, marketing_email, unlimited_rate

    clock = FakeClock()
    monkeypatch.setattr(engine, "clock", clock.time)
    monkeypatch.setattr(engine, "sleep", clock.sleep)
    with alpha.active():
        unlimited_rate(messages_per_minute=6)  # one every 10 s
        segment, _contacts = audience(3)
        email = marketing_email(segment)
        start_send(email, by=None)

        outcome = engine.deliver(email.pk)

        states = sorted(Recipient.objects.filter(email=email).values_list("state", "claim", "attempts"))
    assert (outcome.sent, outcome.deferred_for) == (1, 10.0)
    assert clock.sleeps == []
    # The rows never started go back unclaimed and unattempted.
    assert states == [("queued", "", 0), ("queued", "", 0), ("sent", "", 1)]
    # The server offers pipelining: the second message's envelope had been accepted (354) when the
    # wait came; the connection was closed without its "." and nothing more was handed over.
    assert smtp_server.pipelining
    assert len(smtp_server.messages) == 1
