from modules.marketing.surveys.models.response import Answer, ContactNps, Invitation, Response
from modules.marketing.surveys.models.survey import Question, Survey

__all__ = ["Answer", "ContactNps", "Invitation", "Question", "Response", "Survey"]
