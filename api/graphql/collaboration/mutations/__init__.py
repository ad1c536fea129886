"""Root mutations of notes and following."""

import graphene

from api.graphql.collaboration.mutations.follow import RecordFollow, RecordUnfollow
from api.graphql.collaboration.mutations.note_create import NoteCreate


class CollaborationMutations(graphene.ObjectType):
    note_create = NoteCreate.Field()
    record_follow = RecordFollow.Field()
    record_unfollow = RecordUnfollow.Field()
