"""Notes, files and followers of the CRM records over REST: actions of ``RecordViewSet`` on every
record type that carries them (``modules.collaboration.targets``)."""

from api.rest.collaboration.files import FilesMixin
from api.rest.collaboration.follows import FollowersMixin
from api.rest.collaboration.notes import NotesMixin

__all__ = ["FilesMixin", "FollowersMixin", "NotesMixin"]
