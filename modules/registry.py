"""The one place that knows the modules: what each contributes and which tenant has which.

Module apps register their navigation entries here (``NavEntry`` with a URL name); navigation,
permissions and entitlement checks all read from this registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    icon: str = "circle"
    permission: str | None = None


@dataclass(frozen=True)
class SettingsEntry:
    """A link in the settings menu. The link is marked current on its own URL (``exact``) or on
    every page under ``active_prefix`` (by default the URL itself)."""

    label: str | Promise
    url_name: str
    permission: str
    exact: bool = False
    active_prefix: str | None = None


@dataclass(frozen=True)
class Module:
    key: str
    label: str | Promise
    always_on: bool = False
    apps: tuple[str, ...] = ()
    nav: tuple[NavEntry, ...] = ()
    # The module's entries in the settings menu, shown between the platform's own entries.
    settings_nav: tuple[SettingsEntry, ...] = ()
    extra_permissions: dict[str, str | Promise] = field(default_factory=dict)
    # Dotted path of a function that gives a new tenant the module's starting data (run at
    # provisioning, in the tenant's schema and language; must be idempotent).
    seed: str | None = None
    # Dotted path of a function that adds the module's part of the demo tenant, run after the
    # shared demo records are loaded, in the same transaction (``modules.contacts.demo.seed``).
    demo: str | None = None
    # URL namespaces of the module's pages outside its apps (e.g. its settings pages): a tenant
    # without the module gets the "not in your plan" answer there too.
    url_namespaces: tuple[str, ...] = ()
    # Models of the module's apps that records of every module carry (tags, timeline entries):
    # shown with the record that carries them, not as records of this module
    # (``modules.record_access``).
    shared_models: tuple[str, ...] = ()
    # Models ("app_label.Model") whose rows count against the plan's record limit
    # (``billing.usage``): billing counts them without importing the module.
    counted_records: tuple[str, ...] = ()

    @property
    def permissions(self) -> dict[str, str | Promise]:
        return {
            f"{self.key}.view": _("%(module)s: view") % {"module": self.label},
            f"{self.key}.change": _("%(module)s: create and edit") % {"module": self.label},
            f"{self.key}.delete": _("%(module)s: delete") % {"module": self.label},
            **self.extra_permissions,
        }


MODULES: tuple[Module, ...] = (
    Module(
        key="contacts",
        label=_("Customers"),
        always_on=True,
        apps=("modules.contacts",),
        nav=(
            NavEntry(_("Companies"), "contacts:company-list", icon="building"),
            NavEntry(_("Contacts"), "contacts:contact-list", icon="person-lines-fill"),
        ),
        extra_permissions={
            "contacts.merge": _("Customers: merge duplicates"),
            "contacts.privacy": _("Customers: export and erase a contact's personal data"),
        },
        shared_models=("contacts.Tag", "contacts.TimelineEntry"),
        counted_records=("contacts.Company", "contacts.Contact"),
    ),
    Module(
        key="activities",
        label=_("Activities"),
        always_on=True,
        apps=("modules.activities", "modules.activities.calendar_sync", "modules.oauth_accounts", "modules.mailboxes"),
        nav=(
            NavEntry(_("Activities"), "activities:activity-list", icon="check2-square"),
            NavEntry(_("Calendar"), "activities:calendar", icon="calendar3"),
        ),
        counted_records=("activities.Activity",),
        # Each user connects their own calendar and mailboxes (the pages show only theirs).
        settings_nav=(
            SettingsEntry(_("Calendar sync"), "calendar-sync:connection", "activities.change"),
            SettingsEntry(_("Mailboxes"), "mailboxes:list", "activities.change"),
            SettingsEntry(_("Connected accounts"), "oauth_accounts:list", "activities.change"),
            SettingsEntry(_("E-mail"), "mail-settings:settings", "settings.manage_tenant"),
        ),
    ),
    Module(
        key="sales",
        label=_("Sales"),
        apps=("modules.sales",),
        nav=(
            NavEntry(_("Leads"), "sales:lead-list", icon="person-plus"),
            NavEntry(_("Deals"), "sales:deal-list", icon="briefcase"),
            NavEntry(_("Pipeline"), "sales:board", icon="kanban"),
            NavEntry(_("Quotes"), "sales:quote-list", icon="receipt"),
            NavEntry(_("Orders"), "sales:order-list", icon="bag-check"),
            NavEntry(_("Products"), "sales:product-list", icon="box-seam"),
            NavEntry(_("Forecast"), "sales:forecast", icon="graph-up-arrow", permission="sales.view_reports"),
        ),
        extra_permissions={
            "sales.view_reports": _("Sales: forecast and team activity"),
            "sales.manage_catalog": _("Sales: products, price lists and quotas"),
        },
        settings_nav=(SettingsEntry(_("Pipelines"), "pipelines-admin:list", "settings.manage_pipelines"),),
        seed="modules.sales.services.pipelines.seed_sales",
        counted_records=("sales.Lead", "sales.Deal", "sales.Product", "sales.Quote"),
        url_namespaces=("pipelines-admin",),
    ),
    Module(
        key="marketing",
        label=_("Marketing"),
        apps=(
            "modules.marketing",
            "modules.marketing.attribution",
            "modules.marketing.email",
            "modules.marketing.consent",
            "modules.marketing.surveys",
            "modules.marketing.scoring",
            "modules.marketing.collateral",
            "modules.marketing.delivery",
            "modules.marketing.segments",
            "modules.marketing.webforms",
        ),
        nav=(
            NavEntry(_("Marketing"), "marketing:home", icon="megaphone"),
            NavEntry(_("Campaigns"), "marketing:campaign-list", icon="flag"),
            NavEntry(
                _("Campaign attribution"),
                "marketing:attribution",
                icon="diagram-3",
                permission="marketing.view_reports",
            ),
            NavEntry(_("E-mails"), "marketing-email:list", icon="envelope-paper", permission="marketing.view"),
            NavEntry(_("Forms"), "marketing-forms:list", icon="ui-checks", permission="marketing.view"),
            NavEntry(_("Surveys"), "marketing-surveys:survey-list", icon="clipboard-check"),
            NavEntry(_("Collateral"), "marketing-collateral:list", icon="folder2-open"),
            NavEntry(_("Lead scoring"), "marketing-scoring:rules", icon="speedometer", permission="marketing.admin"),
            NavEntry(
                _("Subscriptions"), "marketing-consent:suppressions", icon="envelope-check", permission="marketing.view"
            ),
            NavEntry(_("Segments"), "marketing-segments:list", icon="funnel", permission="marketing.view"),
        ),
        settings_nav=(SettingsEntry(_("Marketing e-mail"), "marketing-email-admin:settings", "marketing.admin"),),
        url_namespaces=("marketing-email", "marketing-email-admin"),
        extra_permissions={
            "marketing.send": _("Marketing: send e-mail campaigns"),
            "marketing.admin": _("Marketing: subscription topics, sending settings, scoring rules and suppressions"),
            "marketing.view_reports": _("Marketing: campaign results, attribution and ROI"),
        },
        demo="modules.marketing.demo.load_demo",
    ),
    Module(
        key="service",
        label=_("Service"),
        apps=(
            "modules.service",
            "modules.service.contact_centre",
            "modules.service.portal",
            "modules.service.knowledge",
            "modules.service.desk",
            "modules.service.sla",
            "modules.service.mail",
        ),
        nav=(
            NavEntry(_("Cases"), "service:case-list", icon="life-preserver"),
            NavEntry(_("Knowledge base"), "knowledge:home", icon="journal-text", permission="service.view"),
            NavEntry(
                _("Agent monitoring"), "service-desk:monitoring", icon="speedometer2", permission="service.view_reports"
            ),
            NavEntry(
                _("SLA compliance"), "sla-reports:compliance", icon="stopwatch", permission="service.view_reports"
            ),
        ),
        extra_permissions={
            "service.admin": _("Service: statuses, queues, SLA policies, support addresses and the portal"),
            "service.view_reports": _("Service: agent monitoring and service reports"),
            "service.publish_articles": _("Service: publish and archive knowledge-base articles"),
        },
        settings_nav=(
            SettingsEntry(_("Telephony and SMS"), "contact-centre:settings", "service.admin", exact=True),
            SettingsEntry(
                _("Service desk"), "service-desk-admin:statuses", "service.admin", active_prefix="/settings/service/"
            ),
            SettingsEntry(_("SLAs"), "sla-admin:calendars", "service.admin", active_prefix="/settings/service/sla/"),
            SettingsEntry(_("Portal users"), "portal-users:list", "service.admin"),
            SettingsEntry(_("Support addresses"), "service-mail-admin:list", "service.admin"),
        ),
        seed="modules.service.services.statuses.seed_service",
        url_namespaces=(
            "portal-users",
            "service-desk-admin",
            "service-desk",
            "sla-admin",
            "sla-reports",
            "service-mail-admin",
        ),
        demo="modules.service.demo.load_demo",
    ),
    Module(
        key="analytics",
        label=_("Analytics"),
        apps=(
            "modules.analytics",
            "modules.analytics.reports",
            "modules.analytics.customer_value",
            "modules.analytics.dashboards",
        ),
        nav=(NavEntry(_("Analytics"), "analytics:index", icon="bar-chart-line"),),
        extra_permissions={"analytics.run_workflows": _("Analytics: start workflows on an analysis's records")},
        demo="modules.analytics.demo.load_demo",
    ),
)
MODULES_BY_KEY = {module.key: module for module in MODULES}
OPTIONAL_MODULE_KEYS = tuple(module.key for module in MODULES if not module.always_on)


class UnknownModule(ValueError):
    pass


def enabled_module_keys(tenant: object) -> frozenset[str]:
    """Modules a tenant has: the always-on ones plus those its subscription enables."""
    chosen: Iterable[str] = getattr(tenant, "enabled_modules", None) or ()
    return frozenset(m.key for m in MODULES if m.always_on or m.key in chosen)


def enabled_modules(tenant: object) -> list[Module]:
    keys = enabled_module_keys(tenant)
    return [module for module in MODULES if module.key in keys]


def is_enabled(tenant: object, key: str) -> bool:
    if key not in MODULES_BY_KEY:
        raise UnknownModule(key)
    return key in enabled_module_keys(tenant)


def navigation(tenant: object, user: object) -> list[tuple[Module, list[NavEntry]]]:
    """The navigation a user sees on a tenant: enabled modules' entries they may open."""
    has_perm = getattr(user, "has_perm", lambda _perm: False)
    sections = []
    for module in enabled_modules(tenant):
        entries = [entry for entry in module.nav if entry.permission is None or has_perm(entry.permission)]
        if entries and has_perm(f"{module.key}.view"):
            sections.append((module, entries))
    return sections


def module_of_namespace(namespace: str) -> str | None:
    """The optional module whose pages live under a URL namespace it declares, if any."""
    for module in MODULES:
        if namespace in module.url_namespaces:
            return module.key
    return None


def validate_module_keys(keys: Iterable[str]) -> list[str]:
    unknown = [key for key in keys if key not in MODULES_BY_KEY]
    if unknown:
        raise UnknownModule(", ".join(unknown))
    return [key for key in OPTIONAL_MODULE_KEYS if key in set(keys)]
