from modules.contacts.models.company import Company
from modules.contacts.models.contact import Contact, join_name
from modules.contacts.models.exchange_rate import ExchangeRate
from modules.contacts.models.sample import SampleRecord
from modules.contacts.models.saved_view import SavedView
from modules.contacts.models.tag import Tag
from modules.contacts.models.timeline import TimelineEntry

__all__ = ["Company", "Contact", "ExchangeRate", "SampleRecord", "SavedView", "Tag", "TimelineEntry", "join_name"]
