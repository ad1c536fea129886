from modules.service.models.case import Case, CaseCategory, CaseStatus
from modules.service.models.message import CaseAttachment, CaseMessage

__all__ = ["Case", "CaseAttachment", "CaseCategory", "CaseMessage", "CaseStatus"]
