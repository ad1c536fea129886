"""Generate many records in one tenant for benchmarks (COPY, one transaction).

    manage.py generate_records --tenant demo --contacts 1000000 --companies 50000 \\
        --deals 20000 --activities 100000 --timeline-record-events 5000
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django_tenants.utils import tenant_context

from modules.contacts.demo.bulk import RecordCounts, generate_records
from tenants.models import Tenant


def _count(value: str) -> int:
    number = int(value.replace("_", "").replace(",", ""))
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Write N companies, contacts, leads, deals and activities (and a record with a long timeline) into a tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the tenant's slug")
        parser.add_argument("--companies", type=_count, default=0)
        parser.add_argument("--contacts", type=_count, default=0)
        parser.add_argument("--leads", type=_count, default=0)
        parser.add_argument("--deals", type=_count, default=0)
        parser.add_argument("--activities", type=_count, default=0)
        parser.add_argument(
            "--timeline-record-events",
            type=_count,
            default=0,
            help="also create one company with this many timeline entries",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same records)")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"], is_template=False).first()
        if tenant is None or not tenant.is_ready:
            raise CommandError(f"No active tenant with the slug “{options['tenant']}”.")
        counts = RecordCounts(
            companies=options["companies"],
            contacts=options["contacts"],
            leads=options["leads"],
            deals=options["deals"],
            activities=options["activities"],
            timeline_record_events=options["timeline_record_events"],
        )
        with tenant_context(tenant):
            report = generate_records(counts, seed=options["seed"])
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        for name, written in report.written.items():
            self.stdout.write(f"{name}: {written:,} in {report.seconds[name]:.1f} s")
        self.stdout.write(f"analyze: {report.seconds['analyze']:.1f} s")
        if report.timeline_company_id is not None:
            self.stdout.write(f"timeline record: company {report.timeline_company_id}")
