"""Root mutations of acting on an analysis (report deliveries have theirs in ``report_subscriptions``)."""

import graphene

from api.graphql.analytics.mutations.contact_list_create import ContactListCreate
from api.graphql.analytics.mutations.workflow_selection_start import WorkflowSelectionStart


class AnalyticsActingMutations(graphene.ObjectType):
    workflow_selection_start = WorkflowSelectionStart.Field()
    contact_list_create = ContactListCreate.Field()
