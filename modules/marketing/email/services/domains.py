"""Sending domains: the SPF, DKIM and DMARC records a domain must publish for the tenant's way of
sending, and the check that looks them up in DNS (dnspython). The resolver is a parameter so the
check runs against any name server (the tests start one on the loopback)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.resolver
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from identity.services.audit import audit
from modules.contacts.services.records import validated
from modules.marketing.email.choices import Provider, RecordState, SendingMethod
from modules.marketing.email.models import SendingDomain
from modules.marketing.email.services.settings import current_settings

LOOKUP_SECONDS = 5.0
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SELECTOR = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_HOST = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$")
# The include: of each e-mail service's SPF record, as its documentation gives it.
SERVICE_SPF = {
    Provider.AMAZON_SES: "amazonses.com",
    Provider.MAILGUN: "mailgun.org",
    Provider.POSTMARK: "spf.mtasv.net",
    Provider.SENDGRID: "sendgrid.net",
    Provider.BREVO: "spf.brevo.com",
    Provider.MAILJET: "spf.mailjet.com",
}


@dataclass(frozen=True)
class Record:
    key: str  # spf, dkim, dmarc
    kind: str  # TXT or CNAME
    name: str
    value: str
    required: bool


def spf_include(domain: SendingDomain) -> str:
    if domain.spf_include:
        return domain.spf_include
    row = current_settings()
    if row.method == SendingMethod.SERVICE and row.provider in SERVICE_SPF:
        return SERVICE_SPF[Provider(row.provider)]
    if row.method == SendingMethod.PLATFORM:
        return str(getattr(settings, "MARKETING_SPF_INCLUDE", "") or f"_spf.{settings.BASE_DOMAIN}")
    return ""


def dkim_record(domain: SendingDomain) -> tuple[str, str]:
    """(kind, value): the service's DKIM value as given, else a CNAME to the platform's key."""
    value = " ".join(domain.dkim_value.split())
    if value:
        return ("CNAME", value.rstrip(".")) if _HOST.match(value.lower()) else ("TXT", value)
    return "CNAME", f"{domain.dkim_selector}._domainkey.{settings.BASE_DOMAIN}"


def expected_records(domain: SendingDomain) -> list[Record]:
    include = spf_include(domain)
    spf_value = f"v=spf1 include:{include} ~all" if include else "v=spf1 ~all"
    dkim_kind, dkim_value = dkim_record(domain)
    return [
        Record("spf", "TXT", domain.domain, spf_value, True),
        Record("dkim", dkim_kind, f"{domain.dkim_selector}._domainkey.{domain.domain}", dkim_value, True),
        Record("dmarc", "TXT", f"_dmarc.{domain.domain}", f"v=DMARC1; p=none; rua=mailto:dmarc@{domain.domain}", False),
    ]


def _check(domain: SendingDomain) -> None:
    domain.domain = (domain.domain or "").strip().lower().rstrip(".")
    domain.dkim_selector = (domain.dkim_selector or "").strip().lower()
    domain.spf_include = (domain.spf_include or "").strip().lower()
    if not _DOMAIN.match(domain.domain):
        raise ValidationError({"domain": [_("Enter a domain name such as example.com.")]})
    if not _SELECTOR.match(domain.dkim_selector):
        raise ValidationError({"dkim_selector": [_("Use letters, digits and hyphens.")]})
    if domain.spf_include and not _HOST.match(domain.spf_include):
        raise ValidationError({"spf_include": [_("Enter a domain name such as spf.example.net.")]})
    if SendingDomain.objects.filter(domain=domain.domain).exclude(pk=domain.pk).exists():
        raise ValidationError({"domain": [_("This domain is already listed.")]})
    validated(domain, exclude=["found"])


def add_domain(*, by: User | None, **values: Any) -> SendingDomain:
    domain = SendingDomain(
        **{k: v for k, v in values.items() if k in ("domain", "dkim_selector", "dkim_value", "spf_include")}
    )
    with transaction.atomic():
        _check(domain)
        domain.save()
        audit(
            "sending_domain.created",
            _("Sending domain %(domain)s added.") % {"domain": domain.domain},
            by=by,
            target=domain.domain,
        )
    return domain


def delete_domain(domain: SendingDomain, *, by: User | None) -> None:
    with transaction.atomic():
        name = domain.domain
        domain.delete()
        audit("sending_domain.deleted", _("Sending domain %(domain)s removed.") % {"domain": name}, by=by, target=name)


def new_resolver() -> dns.resolver.Resolver:
    resolver = dns.resolver.Resolver()
    resolver.lifetime = LOOKUP_SECONDS
    return resolver


def _lookup(resolver: dns.resolver.Resolver, name: str, kind: str) -> list[str]:
    try:
        answer = resolver.resolve(name, kind, raise_on_no_answer=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers, dns.exception.Timeout, dns.resolver.NoAnswer):
        return []
    if kind == "TXT":
        return [b"".join(item.strings).decode("utf-8", "replace") for item in answer]
    return [item.target.to_text().rstrip(".").lower() for item in answer]


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value).rstrip(";").lower()


def _matches(record: Record, found: list[str]) -> bool:
    if record.key == "spf":
        spf = [value for value in found if value.lower().startswith("v=spf1")]
        include = record.value.split("include:", 1)[1].split()[0].lower() if "include:" in record.value else ""
        return len(spf) == 1 and (not include or f"include:{include}" in spf[0].lower().split())
    if record.key == "dmarc":
        return any(value.replace(" ", "").upper().startswith("V=DMARC1") for value in found)
    if record.kind == "CNAME":
        return record.value.lower().rstrip(".") in found
    key = re.search(r"p=([A-Za-z0-9+/=\s]+)", record.value)
    return any(key is not None and f"p={_squash(key.group(1))}" in _squash(value) for value in found)


def check_domain(domain: SendingDomain, *, resolver: dns.resolver.Resolver | None = None) -> SendingDomain:
    """Look every record up, keep each one's state and what was found; SPF and DKIM found make the
    domain verified (and a later failing check takes that back)."""
    resolver = resolver or new_resolver()
    states: dict[str, str] = {}
    found: dict[str, list[str]] = {}
    for record in expected_records(domain):
        values = _lookup(resolver, record.name, record.kind)
        found[record.key] = values[:5]
        states[record.key] = RecordState.PASS if _matches(record, values) else RecordState.FAIL
    now = timezone.now()
    with transaction.atomic():
        locked = SendingDomain.objects.select_for_update().get(pk=domain.pk)
        locked.spf_state, locked.dkim_state, locked.dmarc_state = states["spf"], states["dkim"], states["dmarc"]
        locked.found = found
        locked.checked_at = now
        verified = states["spf"] == RecordState.PASS and states["dkim"] == RecordState.PASS
        locked.verified_at = (locked.verified_at or now) if verified else None
        locked.save()
    return locked
