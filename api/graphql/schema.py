"""The GraphQL schema: each module contributes its ``<Module>Queries`` and ``<Module>Mutations``,
merged into one root."""

import graphene

from api.graphql.activities.mail import MailQueries
from api.graphql.activities.mutations import ActivitiesMutations
from api.graphql.activities.queries import ActivitiesQueries
from api.graphql.analytics.dashboard_mutations import AnalyticsDashboardMutations
from api.graphql.analytics.mutations import AnalyticsActingMutations
from api.graphql.analytics.queries import AnalyticsQueries
from api.graphql.analytics.report_subscriptions import AnalyticsMutations
from api.graphql.collaboration.mutations import CollaborationMutations
from api.graphql.contacts.mutations import ContactsMutations
from api.graphql.contacts.queries import ContactsQueries
from api.graphql.core import Node
from api.graphql.identity.queries import IdentityQueries
from api.graphql.knowledge.mutations import KnowledgeMutations
from api.graphql.knowledge.queries import KnowledgeQueries
from api.graphql.link_guard import guard_links
from api.graphql.marketing.collateral import MarketingCollateralMutations, MarketingCollateralQueries
from api.graphql.marketing.consent import ConsentMutations, ConsentQueries
from api.graphql.marketing.email_mutations import MarketingEmailMutations
from api.graphql.marketing.emails import MarketingEmailQueries
from api.graphql.marketing.form_mutations import MarketingFormMutations
from api.graphql.marketing.forms import MarketingFormQueries
from api.graphql.marketing.mutations import MarketingMutations
from api.graphql.marketing.queries import MarketingQueries
from api.graphql.marketing.scoring import ScoringMutations, ScoringQueries
from api.graphql.marketing.segments import MarketingSegmentMutations, MarketingSegmentQueries
from api.graphql.marketing.survey_mutations import MarketingSurveyMutations
from api.graphql.marketing.surveys import MarketingSurveyQueries
from api.graphql.marketing.touches import CampaignTouchQueries
from api.graphql.sales.mutations import SalesMutations
from api.graphql.sales.queries import SalesQueries
from api.graphql.service.contact_centre import ContactCentreQueries
from api.graphql.service.desk import DeskMutations, DeskQueries
from api.graphql.service.mutations import ServiceMutations
from api.graphql.service.portal_users import PortalUserMutations, PortalUserQueries
from api.graphql.service.queries import ServiceQueries
from api.graphql.service.sla import SlaMutations, SlaQueries


class Query(
    IdentityQueries,
    ContactsQueries,
    ActivitiesQueries,
    SalesQueries,
    ServiceQueries,
    MarketingQueries,
    CampaignTouchQueries,
    AnalyticsQueries,
    KnowledgeQueries,
    MarketingFormQueries,
    MarketingSurveyQueries,
    ConsentQueries,
    ScoringQueries,
    MarketingSegmentQueries,
    MarketingCollateralQueries,
    MarketingEmailQueries,
    SlaQueries,
    ContactCentreQueries,
    DeskQueries,
    PortalUserQueries,
    MailQueries,
    graphene.ObjectType,
):
    node = Node.Field()


class Mutation(
    ContactsMutations,
    ActivitiesMutations,
    SalesMutations,
    ServiceMutations,
    MarketingMutations,
    MarketingFormMutations,
    MarketingSurveyMutations,
    CollaborationMutations,
    AnalyticsMutations,
    AnalyticsDashboardMutations,
    AnalyticsActingMutations,
    KnowledgeMutations,
    ConsentMutations,
    ScoringMutations,
    MarketingSegmentMutations,
    MarketingCollateralMutations,
    MarketingEmailMutations,
    SlaMutations,  # type: ignore[valid-type, misc]
    DeskMutations,  # type: ignore[valid-type, misc]
    PortalUserMutations,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
guard_links(schema.graphql_schema)  # links between records obey the record access rule
