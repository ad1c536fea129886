"""`make bench`: provisioning, fleet migrations, records, custom fields and workflows, into docs/benchmarks.md.

Runs inside ``python -m crm_platform.runtime --var var/bench exec --`` (embedded PostgreSQL and
Redis, DATABASE_URL / REDIS_URL set) with ``crm_platform.settings.bench``. Every benchmark runs
against that one server in the same run as its baseline, and leaves no bench tenant behind, so a
second run starts where the first did.

    python -m loadtests.bench [--tenants 200] [--provision-samples 5] [--fleet-samples 2]
                              [--contacts 1000000] [--companies 50000] [--timeline-events 5000]
                              [--page-depth 50000] [--page-samples 30]
                              [--workflow-deals 1000] [--workflow-workers 2]
                              [--api-clients 8] [--api-seconds 15] [--import-rows 100000]
                              [--workspace-contacts 100000] [--workspace-orders 20000]
                              [--analytics-deals 1000000] [--analytics-activities 1000000]
                              [--analytics-samples 10] [--mail-count 2000] [--service-cases 500000]
                              [--knowledge-articles 100000]
                              [--segment-contacts 1000000] [--marketing-recipients 100000] [--marketing-seed 16]
                              [--vcard-cards 5000] [--mailbox-messages 10000]
                              [--dashboard-rows 10000000] [--dashboard-samples 20]
                              [--marketing-killed-recipients N]
                              [--graphql-tenants 1000] [--graphql-definition-sets 20]
                              [--only provisioning|migrations|records|custom_fields|workflows|import|api|workspace|
                                      analytics|service_mail|service_cases|knowledge|segments|marketing_send|vcard|
                                      mailbox_sync|request_path|graphql_tenants|dashboard_scale]

A benchmark whose endpoints are missing still writes its section (with the baselines and the
failures named) and makes the run exit with status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

PAGE_FLOOR = 100
BENCHMARKS = (
    "provisioning", "migrations", "records", "custom_fields", "workflows", "import", "api", "workspace", "analytics",
    "service_mail",
    "service_cases",
    "knowledge",
    "segments",
    "marketing_send",
    "vcard",
    "mailbox_sync",
    "request_path",
    "graphql_tenants",
    "dashboard_scale",
)  # fmt: skip


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=200, help="tenants in the fleet-migration benchmark")
    parser.add_argument(
        "--provision-samples", type=int, default=5, help="tenants provisioned per method (after one warm-up)"
    )
    parser.add_argument(
        "--provision-without-migrate",
        action="store_true",
        help="provisioning: leave out the migrate path (minutes per tenant on a loaded machine)",
    )
    parser.add_argument(
        "--fleet-samples", type=int, default=2, help="runs of each fleet measurement (each migrates the whole fleet)"
    )
    parser.add_argument("--contacts", type=int, default=1_000_000, help="contacts in the record-scale benchmark")
    parser.add_argument("--companies", type=int, default=50_000, help="companies in the record-scale benchmark")
    parser.add_argument("--timeline-events", type=int, default=5_000, help="entries on the long timeline")
    parser.add_argument(
        "--page-depth", type=int, default=50_000, help="rows before the deep page (timeline: at most events - 100)"
    )
    parser.add_argument("--page-samples", type=int, default=30, help="timed requests per page measurement")
    parser.add_argument("--workflow-deals", type=int, default=1000, help="deals triggering a rule (workflows)")
    parser.add_argument("--workflow-workers", type=int, default=2, help="Celery worker processes (workflows)")
    parser.add_argument("--api-clients", type=int, default=8, help="client threads (api throughput)")
    parser.add_argument("--api-seconds", type=int, default=15, help="seconds per measured round (api throughput)")
    parser.add_argument("--import-rows", type=int, default=100_000, help="contacts in the import benchmark")
    parser.add_argument(
        "--workspace-contacts", type=int, default=100_000, help="contacts of the everyday-pages tenant (workspace)"
    )
    parser.add_argument("--workspace-orders", type=int, default=20_000, help="orders of the everyday-pages tenant")
    parser.add_argument("--analytics-deals", type=int, default=1_000_000, help="deals of the reports' tenant")
    parser.add_argument(
        "--analytics-activities", type=int, default=1_000_000, help="activities of the reports' tenant (analytics)"
    )
    parser.add_argument("--analytics-samples", type=int, default=10, help="timed runs per report (analytics)")
    parser.add_argument("--mail-count", type=int, default=2000, help="inbound e-mails (service_mail)")
    parser.add_argument("--service-cases", type=int, default=500_000, help="cases (six messages each) of service_cases")
    parser.add_argument(
        "--knowledge-articles", type=int, default=100_000, help="published articles of the knowledge-base search"
    )
    parser.add_argument("--segment-contacts", type=int, default=1_000_000, help="contacts of the segments benchmark")
    parser.add_argument(
        "--marketing-recipients", type=int, default=100_000, help="recipients of the marketing send benchmark"
    )
    parser.add_argument("--marketing-seed", type=int, default=16, help="seed of the worker kills (marketing_send)")
    parser.add_argument("--vcard-cards", type=int, default=5000, help="cards in the vCard import file (vcard)")
    parser.add_argument(
        "--marketing-killed-recipients", type=int, default=None,
        help="recipients of the marketing send with workers killed (default: --marketing-recipients)",
    )  # fmt: skip
    parser.add_argument("--mailbox-messages", type=int, default=10_000, help="messages of the first mailbox sync")
    parser.add_argument("--graphql-tenants", type=int, default=1000, help="tenants of the GraphQL schema benchmark")
    parser.add_argument(
        "--graphql-definition-sets",
        type=int,
        default=20,
        help="distinct custom field sets among them (graphql_tenants)",
    )
    parser.add_argument(
        "--dashboard-rows", type=int, default=10_000_000, help="deals and activities under the 20-widget dashboard"
    )
    parser.add_argument("--dashboard-samples", type=int, default=20, help="warm loads of the 20-widget dashboard")
    parser.add_argument("--only", choices=BENCHMARKS, help="run one benchmark; the others' sections are kept")
    arguments = parser.parse_args(argv)
    if arguments.timeline_events < 300:
        parser.error("--timeline-events must be at least 300")
    positive = (
        "tenants", "provision_samples", "fleet_samples", "contacts", "companies", "page_depth", "page_samples",
        "workflow_deals", "workflow_workers", "api_clients", "api_seconds", "workspace_contacts", "workspace_orders",
        "analytics_deals", "analytics_activities", "analytics_samples", "mail_count", "knowledge_articles",
        "segment_contacts", "marketing_recipients", "vcard_cards", "mailbox_messages", "service_cases",
        "graphql_tenants", "graphql_definition_sets",
        "dashboard_rows", "dashboard_samples",
    )  # fmt: skip
    for name in positive:
        if getattr(arguments, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_platform.settings.bench")
    import django

    django.setup()

    from loadtests import (
        bench_api,
        bench_custom_fields,
        bench_migrations,
        bench_provisioning,
        bench_records,
        bench_workflows,
        report,
    )
    from loadtests.support import Psql, log, prepare

    started = time.perf_counter()
    psql = Psql.from_environment()
    prepare(psql)
    selected = [arguments.only] if arguments.only else list(BENCHMARKS)
    if "provisioning" in selected:
        log(f"provisioning: {arguments.provision_samples} samples per method")
        report.write_section(
            "provisioning",
            bench_provisioning.run(
                psql, arguments.provision_samples, with_migrate=not arguments.provision_without_migrate
            ),
        )
    if "migrations" in selected:
        log(f"fleet migrations: {arguments.tenants} tenants, {arguments.fleet_samples} sample(s)")
        report.write_section("migrations", bench_migrations.run(psql, arguments.tenants, arguments.fleet_samples))
    failures: list[str] = []
    if "records" in selected:
        section, failures = bench_records.run(
            arguments.contacts,
            arguments.companies,
            arguments.timeline_events,
            arguments.page_depth,
            arguments.page_samples,
        )
        report.write_section("records", section)
    if "custom_fields" in selected:
        section, custom_failures = bench_custom_fields.run(
            arguments.contacts, arguments.page_depth // 10, arguments.page_samples
        )
        report.write_section("custom_fields", section)
        failures += custom_failures
    if "import" in selected:
        from loadtests import bench_import

        section, import_failures = bench_import.run(arguments.import_rows)
        report.write_section("import", section)
        failures += import_failures
    if "workflows" in selected:
        section, workflow_failures = bench_workflows.run(arguments.workflow_deals, arguments.workflow_workers)
        report.write_section("workflows", section)
        failures += workflow_failures
    if "request_path" in selected:
        from loadtests import bench_request_path

        section, path_failures = bench_request_path.run(contacts=1000)
        report.write_section("request_path", section)
        failures += path_failures
    if "graphql_tenants" in selected:
        from loadtests import bench_graphql_tenants

        section, graphql_failures = bench_graphql_tenants.run(
            psql, arguments.graphql_tenants, arguments.graphql_definition_sets
        )
        report.write_section("graphql_tenants", section)
        failures += graphql_failures
    if "api" in selected:
        section, api_failures = bench_api.run(clients=arguments.api_clients, seconds=arguments.api_seconds)
        report.write_section("api", section)
        failures += api_failures
    if "workspace" in selected:
        from loadtests import bench_workspace

        contacts = arguments.workspace_contacts
        section, workspace_failures = bench_workspace.run(
            contacts=contacts,
            companies=max(contacts // 10, 1),
            deals=max(contacts // 5, 1),
            activities=contacts,
            orders=arguments.workspace_orders,
            samples=arguments.page_samples,
        )
        report.write_section("workspace", section)
        failures += workspace_failures
    if "analytics" in selected:
        from loadtests import bench_analytics

        section, analytics_failures = bench_analytics.run(
            arguments.analytics_deals, arguments.analytics_activities, arguments.analytics_samples
        )
        report.write_section("analytics", section)
        failures += analytics_failures
        from loadtests import bench_dashboards

        section, dashboard_failures = bench_dashboards.run(
            contacts=max(arguments.workspace_contacts // 10, 1),
            orders=arguments.workspace_orders,
            samples=arguments.page_samples,
        )
        report.write_section("dashboards", section)
        failures += dashboard_failures
    if "dashboard_scale" in selected:
        from loadtests import bench_dashboard_scale

        section, scale_failures = bench_dashboard_scale.run(arguments.dashboard_rows, arguments.dashboard_samples)
        report.write_section("dashboard_scale", section)
        failures += scale_failures
    if "service_mail" in selected:
        from loadtests import bench_service_mail

        section, mail_failures = bench_service_mail.run(arguments.mail_count)
        report.write_section("service_mail", section)
        failures += mail_failures
    if "service_cases" in selected:
        from loadtests import bench_service_cases

        section, case_failures = bench_service_cases.run(arguments.service_cases, arguments.page_samples)
        report.write_section("service_cases", section)
        failures += case_failures
    if "mailbox_sync" in selected:
        from loadtests import bench_mailbox_sync

        section, mailbox_failures = bench_mailbox_sync.run(arguments.mailbox_messages)
        report.write_section("mailbox_sync", section)
        failures += mailbox_failures
    if "knowledge" in selected:
        from loadtests import bench_knowledge

        section, knowledge_failures = bench_knowledge.run(arguments.knowledge_articles, arguments.page_samples)
        report.write_section("knowledge", section)
        failures += knowledge_failures
    if "segments" in selected:
        from loadtests import bench_segments

        section, segment_failures = bench_segments.run(arguments.segment_contacts, arguments.page_samples)
        report.write_section("segments", section)
        failures += segment_failures
    if "marketing_send" in selected:
        from loadtests import bench_marketing_send

        section, send_failures = bench_marketing_send.run(
            arguments.marketing_recipients, arguments.marketing_seed, arguments.marketing_killed_recipients
        )
        report.write_section("marketing_send", section)
        failures += send_failures
    if "vcard" in selected:
        from loadtests import bench_vcard

        section, vcard_failures = bench_vcard.run(arguments.vcard_cards)
        report.write_section("vcard", section)
        failures += vcard_failures
    log(f"done in {time.perf_counter() - started:.0f} s; figures in {report.BENCHMARKS_DOC}")
    if failures:
        for failure in failures:
            log(f"FAILED: {failure}")
        log("a benchmark could not measure everything it should (see above and docs/benchmarks.md)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
