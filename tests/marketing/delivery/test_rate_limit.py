"""The tenant's token bucket and concurrency slots (Redis): a minute's messages are spread over the
minute, workspaces do not share a bucket, a dead worker's slot frees itself when its lease ends."""

from __future__ import annotations

from modules.marketing.delivery.services.limits import acquire_slot, release_slot, take_token

START = 1_000_000.0


def test_sixty_a_minute_lets_one_message_go_each_second() -> None:
    waits = [take_token("alpha", 60, START), take_token("alpha", 60, START), take_token("alpha", 60, START + 0.5)]
    after_a_second = take_token("alpha", 60, START + 1.0)

    assert waits[0] == 0
    assert waits[1] == 1.0
    assert abs(waits[2] - 0.5) < 1e-9
    assert after_a_second == 0


def test_the_bucket_holds_one_seconds_worth_so_a_quiet_minute_is_no_burst() -> None:
    taken = [take_token("alpha", 600, START + 120) for _ in range(12)]

    assert taken[:10] == [0.0] * 10  # 600 a minute: 10 a second
    assert all(wait > 0 for wait in taken[10:])


def test_workspaces_have_buckets_of_their_own() -> None:
    assert take_token("alpha", 60, START) == 0
    assert take_token("alpha", 60, START) > 0
    assert take_token("beta", 60, START) == 0


def test_slots_limit_parallel_workers_and_free_themselves_after_the_lease() -> None:
    assert acquire_slot("alpha", "one", limit=2, now=START, lease=30)
    assert acquire_slot("alpha", "two", limit=2, now=START, lease=30)
    assert not acquire_slot("alpha", "three", limit=2, now=START + 1, lease=30)
    assert acquire_slot("alpha", "one", limit=2, now=START + 1, lease=30)  # renewing its own
    assert acquire_slot("beta", "three", limit=2, now=START + 1, lease=30)

    release_slot("alpha", "two")
    assert acquire_slot("alpha", "three", limit=2, now=START + 2, lease=30)
    # "one" died without releasing: its lease runs out.
    assert not acquire_slot("alpha", "four", limit=2, now=START + 20, lease=30)
    assert acquire_slot("alpha", "four", limit=2, now=START + 40, lease=30)
