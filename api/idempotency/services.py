"""Claiming an idempotency key, keeping the response it produced, and purging old records."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from api.idempotency.models import IdempotencyRecord

RETENTION = timedelta(hours=24)


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of the request a key stands for."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))  # length-prefixed, so parts cannot run into each other
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Claim:
    record: IdempotencyRecord
    created: bool


def claim_key(*, credential_id: str, key: str, method: str, path: str, fingerprint: str) -> Claim:
    """The record of ``key``: a new one (``created``) or the one a committed request left.

    Call inside the transaction that will also hold the request's changes. A concurrent request
    with the same key makes the INSERT wait on the unique index until that request's transaction
    ends; if it committed, its record is returned, if it rolled back, this one claims the key.
    """
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                credential_id=credential_id, key=key, method=method, path=path, fingerprint=fingerprint
            )
        return Claim(record=record, created=True)
    except IntegrityError:
        return Claim(record=IdempotencyRecord.objects.get(credential_id=credential_id, key=key), created=False)


def store_response(record: IdempotencyRecord, response: HttpResponse) -> None:
    record.response_status = response.status_code
    record.response_body = response.content
    record.response_content_type = response.get("Content-Type", "")
    record.save(update_fields=["response_status", "response_body", "response_content_type"])


def purge_expired_records(*, now: datetime | None = None) -> int:
    """Delete the current tenant's records older than RETENTION; returns how many."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted, _per_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
