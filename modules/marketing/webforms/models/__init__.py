from modules.marketing.webforms.models.form import WebForm
from modules.marketing.webforms.models.submission import Submission

__all__ = ["Submission", "WebForm"]
