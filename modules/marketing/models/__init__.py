from modules.marketing.models.campaign import Campaign, CampaignMember
from modules.marketing.models.consent import Suppression, Topic
from modules.marketing.models.email import MarketingEmail
from modules.marketing.models.segment import Segment, SegmentMember

__all__ = ["Campaign", "CampaignMember", "MarketingEmail", "Segment", "SegmentMember", "Suppression", "Topic"]
