"""The customer record's root mutations."""

import graphene

from api.graphql.contacts.mutations.company_create import CompanyCreate
from api.graphql.contacts.mutations.company_delete import CompanyDelete
from api.graphql.contacts.mutations.company_update import CompanyUpdate
from api.graphql.contacts.mutations.contact_create import ContactCreate
from api.graphql.contacts.mutations.contact_delete import ContactDelete
from api.graphql.contacts.mutations.contact_update import ContactUpdate


class ContactsMutations(graphene.ObjectType):
    company_create = CompanyCreate.Field()
    company_update = CompanyUpdate.Field()
    company_delete = CompanyDelete.Field()
    contact_create = ContactCreate.Field()
    contact_update = ContactUpdate.Field()
    contact_delete = ContactDelete.Field()
