from modules.collaboration.models.attachment import Attachment
from modules.collaboration.models.follow import Follow
from modules.collaboration.models.note import Note

__all__ = ["Attachment", "Follow", "Note"]
