"""From file rows to planned records: cells converted by their target, relations and existing
records looked up for the whole batch at once, then the entity's bulk service validates each row.

A batch costs a fixed number of queries whatever its size (one per relation kind, one for existing
records, the bulk service's own), so the import scales with the number of batches, not rows."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Func, Q, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customization.fields.entities import visible_records
from identity.models import User
from identity.visibility import visible_owner_ids
from modules.contacts.models import Company
from modules.contacts.services.bulk import BulkPlan, BulkRow, plan_companies, plan_contacts, write_plan
from modules.dataio.imports.choices import DedupeRule, ImportEntity, RecordAction
from modules.dataio.imports.models import ImportedRecord, ImportJob
from modules.dataio.imports.order_lines import OrderGroups, group_orders
from modules.dataio.imports.targets import CUSTOM, LINE, RELATION, Target, convert, targets_for
from modules.sales.models import Pipeline, Stage
from modules.sales.services.bulk_records import plan_deals, plan_leads
from modules.sales.services.orders_bulk import plan_orders

Errors = dict[str, list[str]]
PLANNERS: dict[str, Callable[..., BulkPlan]] = {
    ImportEntity.COMPANY: plan_companies,
    ImportEntity.CONTACT: plan_contacts,
    ImportEntity.LEAD: plan_leads,
    ImportEntity.DEAL: plan_deals,
    ImportEntity.ORDER: plan_orders,
}
# Loaded with a matched record, so comparing and the timeline links cost no query per row.
MATCH_RELATED: dict[str, tuple[str, ...]] = {
    ImportEntity.COMPANY: ("owner",),
    ImportEntity.CONTACT: ("owner", "company"),
    ImportEntity.LEAD: ("owner",),
    ImportEntity.DEAL: ("owner", "company", "contact", "stage", "pipeline"),
    ImportEntity.ORDER: ("owner", "company", "contact", "deal"),
}
_DOMAIN = r"^(https?://)?(www\.)?([^/:?#]+).*$"


def missing_company_names(rows: list[dict[str, str]], found: dict[str, list[Any]]) -> dict[str, str]:
    """The company names ``rows`` give that ``found`` lacks, lower-cased → as first written."""
    missing: dict[str, str] = {}
    for row in rows:
        text = row.get("company") or ""
        name = " ".join(text.split())
        if name and text.lower() not in found:
            missing.setdefault(text.lower(), name)
    return missing


def web_domain(text: str) -> str:
    match = re.match(_DOMAIN, text.strip().lower())
    return match.group(3) if match else ""


@dataclass
class BatchOutcome:
    plan: BulkPlan
    errors: dict[int, Errors] = field(default_factory=dict)
    skipped: set[int] = field(default_factory=set)


class RowReader:
    """Turns a job's rows into planned records for one user; holds what stays the same all run."""

    def __init__(self, job: ImportJob, user: User | None) -> None:
        self.job = job
        self.user = user
        self.targets: dict[str, Target] = {target.key: target for target in targets_for(job.entity)}
        self.columns = [(index, self.targets[key]) for index, key in enumerate(job.mapping) if key in self.targets]
        self._users: dict[str, User] | None = None
        self._owners: set[int] | None = None  # visible_owner_ids once read (None: everyone)
        self._owners_read = False
        self._stages: tuple[dict[str, Pipeline], dict[str, list[Stage]]] | None = None
        # An order file with line columns: its rows are grouped into orders (``order_lines``).
        self.has_lines = any(target.kind == LINE for _index, target in self.columns)
        # Companies this reader created for rows naming one nobody has (create_missing_companies).
        self.new_companies: list[Company] = []

    # --- relations -------------------------------------------------------------------------

    def users(self) -> dict[str, User]:
        if self._users is None:
            self._users = {user.email.lower(): user for user in User.objects.filter(is_active=True)}
        return self._users

    def may_own(self, owner: User) -> bool:
        """Whether the importer may make ``owner`` the owner of a record (their sight, as the forms)."""
        if self.user is None:
            return True
        if not self._owners_read:
            self._owners = visible_owner_ids(self.user)
            self._owners_read = True
        return self._owners is None or owner.pk in self._owners

    def stages(self) -> tuple[dict[str, Pipeline], dict[str, list[Stage]]]:
        if self._stages is None:
            pipelines = {p.name.lower(): p for p in Pipeline.objects.filter(is_archived=False).order_by("-id")}
            stages: dict[str, list[Stage]] = defaultdict(list)
            for stage in Stage.objects.filter(pipeline__is_archived=False).select_related("pipeline"):
                stages[stage.name.lower()].append(stage)
            self._stages = pipelines, dict(stages)
        return self._stages

    def _by_text(self, entity: str, column: Any, texts: set[str]) -> dict[str, list[Any]]:
        if not texts:
            return {}
        found: dict[str, list[Any]] = defaultdict(list)
        for record in visible_records(entity, self.user).annotate(_key=Lower(column)).filter(_key__in=texts):
            found[record._key].append(record)
        return found

    def companies_named(self, names: set[str]) -> dict[str, list[Any]]:
        """The companies the importer sees by lower-cased name."""
        return self._by_text(ImportEntity.COMPANY, "name", names)

    def _resolve(self, rows: list[dict[str, str]]) -> list[tuple[dict[str, Any], Errors]]:
        wanted = {key: {row[key].lower() for row in rows if row.get(key)} for key in ("company", "contact")}
        companies = self.companies_named(wanted["company"])
        if self.job.create_missing_companies and "company" in self.targets:
            for key, company in self._create_companies(missing_company_names(rows, companies)).items():
                companies[key] = [company]
        contacts = self._by_text(ImportEntity.CONTACT, "email", wanted["contact"])
        resolved = []
        for row in rows:
            values: dict[str, Any] = {}
            errors: Errors = {}
            for key in ("owner", "company", "contact", "pipeline", "stage"):
                text = row.get(key)
                if not text:
                    continue
                if key == "owner":
                    found: list[Any] = [self.users()[text.lower()]] if text.lower() in self.users() else []
                    missing = _("No active user has the e-mail %(value)s.")
                    if found and not self.may_own(found[0]):
                        # As on the record forms: only people whose records the importer sees.
                        errors[key] = [
                            _("%(value)s cannot be made owner: their records are not among those you see.")
                            % {"value": text}
                        ]
                        continue
                elif key == "pipeline":
                    pipelines = self.stages()[0]
                    found = [pipelines[text.lower()]] if text.lower() in pipelines else []
                    missing = _("No pipeline is called “%(value)s”.")
                elif key == "stage":
                    found = self.stages()[1].get(text.lower(), [])
                    pipeline = values.get("pipeline")
                    if pipeline is not None or len(found) > 1:
                        pipeline = pipeline or self._default_pipeline(found)
                        found = [stage for stage in found if stage.pipeline_id == getattr(pipeline, "pk", None)]
                    missing = _("No stage is called “%(value)s” in this pipeline.")
                else:
                    found = (companies if key == "company" else contacts).get(text.lower(), [])
                    missing = (
                        _("No company is called “%(value)s”.")
                        if key == "company"
                        else _("No contact has the e-mail %(value)s.")
                    )
                if len(found) == 1:
                    values[key] = found[0]
                elif not found:
                    errors[key] = [missing % {"value": text}]
                else:
                    errors[key] = [
                        ngettext(
                            "%(count)d record matches “%(value)s”.", "%(count)d records match “%(value)s”.", len(found)
                        )
                        % {"count": len(found), "value": text}
                    ]
            resolved.append((values, errors))
        return resolved

    def _create_companies(self, names: dict[str, str]) -> dict[str, Company]:
        """Create a company for each name (owned by the importer), as the bulk services create
        records: validated, with their events and timeline. A name the company form would refuse
        stays missing, so its rows fail as before."""
        if not names:
            return {}
        keys = list(names)
        plan = plan_companies(
            [BulkRow(number=index, values={"name": names[key]}) for index, key in enumerate(keys)], by=self.user
        )
        write_plan(plan, by=self.user)
        created = {keys[row.number]: row.instance for row in plan.created}
        self.new_companies.extend(created.values())
        return created

    @staticmethod
    def _default_pipeline(stages: list[Stage]) -> Pipeline | None:
        defaults = [stage.pipeline for stage in stages if stage.pipeline.is_default]
        return defaults[0] if defaults else None

    # --- existing records ------------------------------------------------------------------

    def _match_keys(self, row: dict[str, str]) -> list[str]:
        entity = self.job.entity
        if entity in (ImportEntity.CONTACT, ImportEntity.LEAD):
            return [f"email:{row['email'].lower()}"] if row.get("email") else []
        if entity == ImportEntity.COMPANY:
            keys = [f"name:{row['name'].lower()}"] if row.get("name") else []
            domain = web_domain(row.get("website", ""))
            return keys + ([f"domain:{domain}"] if domain else [])
        if entity == ImportEntity.ORDER:
            return [f"number:{row['number'].lower()}"] if row.get("number") else []
        return [f"name:{row['name'].lower()}"] if row.get("name") else []

    def _existing(self, keys: set[str]) -> dict[str, list[models.Model]]:
        if not keys:
            return {}
        queryset = visible_records(self.job.entity, self.user).select_related(*MATCH_RELATED[self.job.entity])
        emails = [key[6:] for key in keys if key.startswith("email:")]
        names = [key[5:] for key in keys if key.startswith("name:")]
        domains = [key[7:] for key in keys if key.startswith("domain:")]
        numbers = [key[7:] for key in keys if key.startswith("number:")]
        condition = Q(pk__in=[])
        if numbers:
            queryset = queryset.annotate(_number=Lower("number"))
            condition |= Q(_number__in=numbers)
        if emails:
            queryset = queryset.annotate(_email=Lower("email"))
            condition |= Q(_email__in=emails)
            if self.job.entity == ImportEntity.CONTACT:
                condition |= Q(additional_emails__overlap=emails)
        if names:
            queryset = queryset.annotate(_name=Lower("name"))
            condition |= Q(_name__in=names)
        if domains:
            domain = Func(Lower("website"), Value(_DOMAIN), Value(r"\3"), function="regexp_replace")
            queryset = queryset.annotate(_domain=domain)
            condition |= Q(_domain__in=domains) & ~Q(website="")
        found: dict[str, list[models.Model]] = defaultdict(list)
        for record in queryset.filter(condition).order_by("pk"):
            record_keys = [f"email:{getattr(record, '_email', '')}", f"name:{getattr(record, '_name', '')}"]
            record_keys += [f"email:{email.lower()}" for email in getattr(record, "additional_emails", [])]
            record_keys.append(f"domain:{getattr(record, '_domain', '')}")
            record_keys.append(f"number:{getattr(record, '_number', '')}")
            for key in record_keys:
                if key in keys:
                    found[key].append(record)
        return found

    # --- the batch -------------------------------------------------------------------------

    def cells(self, cells: list[str]) -> dict[str, str]:
        return {target.key: cells[index] for index, target in self.columns if index < len(cells) and cells[index]}

    def evaluate(self, rows: list[tuple[int, list[str]]]) -> BatchOutcome:
        """Plan ``rows`` (``(row number, cells)``); writes nothing but the tags the rows name and,
        when the job says so, the companies they name that do not exist yet."""
        texts = [self.cells(cells) for _number, cells in rows]
        groups: OrderGroups | None = None
        if self.has_lines:
            groups = group_orders(rows, texts, self.targets)
            rows, texts = groups.leads, groups.lead_texts
        resolved = self._resolve(texts)
        dedupe = self.job.dedupe
        existing: dict[str, list[models.Model]] = {}
        created_by_job: dict[int, int] = {}
        if dedupe != DedupeRule.CREATE:
            existing = self._existing({key for row in texts for key in self._match_keys(row)})
            ids = {record.pk for records in existing.values() for record in records}
            if ids and self.job.pk:
                created_by_job = dict(
                    ImportedRecord.objects.filter(
                        job=self.job, action=RecordAction.CREATED, record_id__in=ids
                    ).values_list("record_id", "row_number")
                )
        errors: dict[int, Errors] = {}
        skipped: set[int] = set()
        seen: dict[str, int] = {}
        bulk_rows = []
        for (number, _cells), row, (relations, relation_errors) in zip(rows, texts, resolved, strict=True):
            values: dict[str, Any] = {}
            custom: dict[str, Any] = {}
            for key, text in row.items():
                target = self.targets[key]
                if target.kind == CUSTOM:
                    custom[key.removeprefix("custom.")] = convert(target, text)
                elif target.kind not in (RELATION, LINE):
                    values[key] = convert(target, text)
            values.update(relations)
            if groups is not None and groups.lines.get(number):
                values["lines"] = groups.lines[number]
            if custom:
                values["custom"] = custom
            match = None
            if dedupe != DedupeRule.CREATE:
                keys = self._match_keys(row)
                earlier = next((seen[key] for key in keys if key in seen), None)
                matches = list(dict.fromkeys(record for key in keys for record in existing.get(key, [])))
                for key in keys:
                    seen.setdefault(key, number)
                if earlier is None and matches:
                    earlier = created_by_job.get(matches[0].pk)
                if dedupe == DedupeRule.SKIP and (matches or earlier is not None):
                    skipped.add(number)
                    continue
                if earlier is not None:
                    errors[number] = {"__all__": [_("Row %(row)d of this file is the same record.") % {"row": earlier}]}
                    continue
                if len(matches) > 1:
                    message = _("%(count)d existing records match this row.") % {"count": len(matches)}
                    errors[number] = {"__all__": [message]}
                    continue
                match = matches[0] if matches else None
            if relation_errors:
                errors[number] = relation_errors
            bulk_rows.append(BulkRow(number=number, values=values, match=match))
        plan = PLANNERS[self.job.entity](bulk_rows, by=self.user)
        for number, row_errors in plan.errors.items():
            errors[number] = {**row_errors, **errors.get(number, {})}
        if groups is not None:
            for number, row_errors in groups.errors.items():
                errors[number] = {**row_errors, **errors.get(number, {})}
            groups.spread(errors, skipped)
        if errors:
            plan.planned = [planned for planned in plan.planned if planned.number not in errors]
        return BatchOutcome(plan=plan, errors=errors, skipped=skipped)
