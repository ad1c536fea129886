"""A claimed batch's hand-over journal, kept in Redis: which row's hand-over started and what came of
each one, written before the next message goes out. PostgreSQL then takes the whole batch's results
in one commit at its end (``engine.settle``), and a worker that dies mid-batch leaves in the journal
exactly what it did, for ``engine.recover_stale`` to settle the same way.

One Lua call per message (``step``) records the previous message's outcome, renews the claim's
heartbeat (a key that expires after the lease: a live worker's batch is never taken for a dead one's,
however long the batch runs), takes the message's token from the workspace's rate bucket and, when it
got one, records that this row's hand-over starts. So the journal costs no round trip beyond the one
the rate limit already made.

The journal is opened (``open_journal``) inside the claim's transaction, before its commit, so a
committed claim whose journal cannot be found lost it (a Redis restart without persistence).

Entries: ``c`` (opened), ``s:<row>`` (hand-over started), ``ok:<row>:<provider message id>`` (accepted),
``re:<row>:<reply>`` (try later), ``no:<row>:<reply>`` (refused, or the message could not be built).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from redis.commands.core import Script

from modules.marketing.delivery.services.limits import BUCKET_FUNCTION, bucket_key, capacity, redis_client

# A dead worker's journal waits this long for recovery (beat runs it every minute; this covers a
# long outage of the workers or of beat).
JOURNAL_SECONDS = 7 * 24 * 3600

_STEP = (
    BUCKET_FUNCTION
    + """
-- KEYS: the rate bucket, the journal, the claim's heartbeat.
-- ARGV: per minute, now, capacity, lease (ms), journal ttl (s), the row to start ('' for none), outcomes...
for index = 7, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[index]) end
redis.call('SET', KEYS[3], '1', 'PX', ARGV[4])
local wait = 0
if ARGV[6] ~= '' then
  wait = take_token(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
  if wait == 0 then redis.call('RPUSH', KEYS[2], 's:' .. ARGV[6]) end
end
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
return tostring(wait)
"""
)


_script: Script | None = None


def _journal_key(schema_name: str, claim: str) -> str:
    return f"mkjournal:{{{schema_name}}}:{claim}"


def _alive_key(schema_name: str, claim: str) -> str:
    return f"mkalive:{{{schema_name}}}:{claim}"


@dataclass
class Entries:
    """A batch's journal read back (or kept in memory by the worker that writes it)."""

    opened: bool = False
    started: set[int] = field(default_factory=set)
    accepted: dict[int, str] = field(default_factory=dict)
    retried: dict[int, str] = field(default_factory=dict)
    refused: dict[int, str] = field(default_factory=dict)

    def settled(self, row_id: int) -> bool:
        return row_id in self.accepted or row_id in self.retried or row_id in self.refused

    def interrupted(self) -> set[int]:
        """Rows whose hand-over started with no outcome: they may have reached the server."""
        return {row_id for row_id in self.started if not self.settled(row_id)}

    def add(self, entry: str) -> None:
        if entry == OPENED:
            self.opened = True
            return
        kind, _sep, rest = entry.partition(":")
        row_text, _sep, detail = rest.partition(":")
        row_id = int(row_text)
        if kind == "s":
            self.started.add(row_id)
        elif kind == "ok":
            self.accepted[row_id] = detail
        elif kind == "re":
            self.retried[row_id] = detail
        elif kind == "no":
            self.refused[row_id] = detail


OPENED = "c"


def open_journal(schema_name: str, claim: str, *, lease: float) -> None:
    """Start a claimed batch's journal and heartbeat (one round trip)."""
    pipe = redis_client().pipeline(transaction=True)
    pipe.rpush(_journal_key(schema_name, claim), OPENED)
    pipe.expire(_journal_key(schema_name, claim), JOURNAL_SECONDS)
    pipe.set(_alive_key(schema_name, claim), "1", px=int(lease * 1000))
    pipe.execute()


def accepted(row_id: int, provider_id: str) -> str:
    return f"ok:{row_id}:{provider_id}"


def retried(row_id: int, reply: str) -> str:
    return f"re:{row_id}:{reply[:2000]}"


def refused(row_id: int, reply: str) -> str:
    return f"no:{row_id}:{reply[:2000]}"


def step(
    schema_name: str, claim: str, *, outcomes: list[str], start: int | None, per_minute: int, now: float, lease: float
) -> float:
    """Record ``outcomes``, renew the claim's heartbeat and, if ``start`` is a row, take its token and
    record its hand-over's start. Returns 0 when the row may go now, else the seconds to wait for the
    rate (its start not recorded then)."""
    wait = _step_script()(
        keys=[bucket_key(schema_name), _journal_key(schema_name, claim), _alive_key(schema_name, claim)],
        args=[
            per_minute, repr(now), capacity(per_minute), int(lease * 1000), JOURNAL_SECONDS,
            "" if start is None else str(start), *outcomes,
        ],
    )  # fmt: skip
    return float(wait)


def _step_script() -> Script:
    """The step as a registered script: each call sends its SHA1 (EVALSHA), not its source, loading
    it again by itself after a Redis restart."""
    global _script
    client = redis_client()
    if _script is None or _script.registered_client is not client:
        _script = client.register_script(_STEP)
    return _script


def alive(schema_name: str, claim: str) -> bool:
    """Whether the claim's worker stepped within its lease (so it is still at work)."""
    return bool(redis_client().exists(_alive_key(schema_name, claim)))


def read(schema_name: str, claim: str) -> Entries:
    entries = Entries()
    for raw in redis_client().lrange(_journal_key(schema_name, claim), 0, -1):  # type: ignore[union-attr]
        entries.add(raw.decode() if isinstance(raw, bytes) else str(raw))
    return entries


def forget(schema_name: str, claim: str) -> None:
    """Drop a batch's journal once PostgreSQL holds its results."""
    redis_client().delete(_journal_key(schema_name, claim), _alive_key(schema_name, claim))
