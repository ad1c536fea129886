"""Lead scoring (marketing module): the rules, the thresholds, and the scores they give contacts
and leads.

Rules and thresholds are settings (``marketing.admin`` writes them, as on the scoring page; every
role with ``marketing.view`` reads them, since they explain the scores). A score is computed, never
written: it is a read-only resource rather than a field of contacts and leads, so the contact and
lead descriptions stay free of the marketing module and a tenant without it has no such field.
Scores follow the visibility of their contact or lead (a lead's also needs the sales module)."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    relation,
    writable,
)
from modules.marketing.scoring.choices import BehaviourEvent, RuleKind
from modules.marketing.scoring.models import Score, ScoreThreshold, ScoringRule
from modules.marketing.scoring.services.rules import (
    create_rule,
    create_threshold,
    delete_rule,
    delete_threshold,
    update_rule,
)

SCORING_RULE = EntityDescription(
    name="scoring_rule",
    resource="scoring_rules",
    rest_resource="scoring-rules",
    model=ScoringRule,
    module="marketing",
    owner_field="",
    graphql_type="ScoringRule",
    fields=(
        ID,
        writable("name"),
        writable("kind", "fit (a field's value) or behaviour (something the person did)."),
        writable("points", "Given when the rule matches, -10000 to 10000."),
        writable("active"),
        writable("entity", "Fit rules: contact or lead."),
        writable("field", "Fit rules: job_title, company.industry, custom.<key>, company.custom.<key>…"),
        writable("operator", "Fit rules: eq, ne, contains, gt, gte, lt, lte, set or empty."),
        writable("value", "Fit rules: what the field is compared with."),
        writable("event_type", "Behaviour rules: the event scored (marketing_email.opened, form.submitted…)."),
        writable("cap_points", "Behaviour rules: at most this many points…"),
        writable("cap_days", "…per this many days (both or neither)."),
        writable("decay", "Behaviour rules: none, percent (a share lost every N days) or expire (after N days)."),
        writable("decay_percent", "The share lost (percent decay)."),
        writable("decay_days", "Every / after how many days the points decay."),
        relation("created_by", "Who created the rule.", read_only=True),
        *TIMESTAMPS,
    ),
    filters=(
        choice("kind", RuleKind),
        Filter("active", FilterKind.BOOLEAN, field="active", description="Rules in use (true) or paused."),
        choice("event_type", BehaviourEvent),
    ),
    orderings=orderings("name", "points", "created_at", "updated_at"),
    create=create_rule,
    update=update_rule,
    delete=delete_rule,
)

SCORE_THRESHOLD = EntityDescription(
    name="score_threshold",
    resource="score_thresholds",
    rest_resource="score-thresholds",
    model=ScoreThreshold,
    module="marketing",
    owner_field="",
    graphql_type="ScoreThreshold",
    fields=(
        ID,
        writable("name", "Unique (MQL, SQL…)."),
        writable("points", "Reaching this score fires the workflow trigger, once per crossing."),
        Field("created_at"),
    ),
    filters=(),
    orderings=orderings("points", "created_at"),
    create=create_threshold,
    delete=delete_threshold,
)

LEAD_SCORE = EntityDescription(
    name="lead_score",
    resource="lead_scores",
    rest_resource="lead-scores",
    model=Score,
    module="marketing",
    owner_field="",
    graphql_type="LeadScore",
    fields=(
        ID,
        relation("contact", "The contact scored (or a lead); null when you may not see it.", read_only=True),
        relation("lead", "The lead scored (or a contact); null when you may not see it.", read_only=True),
        Field("fit", description="Points of the fit rules the record meets."),
        Field("behaviour", description="Behaviour points, decayed as their rules say."),
        Field("total", description="fit + behaviour."),
        Field("grade", description="A to D: the fit against the most the active fit rules can give."),
        Field("updated_at"),
    ),
    filters=(
        by_id("contact", "Contact", "The score of this contact (a Contact id)."),
        by_id("lead", "Lead", "The score of this lead (a Lead id)."),
        Filter("grade", FilterKind.TEXT, field="grade", lookup="iexact", description="Scores of this grade (A–D)."),
    ),
    orderings=orderings("total", "fit", "behaviour", "updated_at"),
)
