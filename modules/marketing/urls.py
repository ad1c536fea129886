"""URLs of the marketing module's own pages: its home, campaigns and their members, attribution."""

from django.urls import path

from modules.marketing.attribution import views as attribution
from modules.marketing.views import campaigns, home, members

app_name = "marketing"

urlpatterns = [
    path("", home.home, name="home"),
    path("campaigns/", campaigns.campaign_list, name="campaign-list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign-create"),
    path("campaigns/bulk/", campaigns.campaign_bulk, name="campaign-bulk"),
    path("campaigns/views/", campaigns.campaign_view_save, name="campaign-view-save"),
    path("campaigns/views/<int:pk>/delete/", campaigns.campaign_view_delete, name="campaign-view-delete"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:pk>/delete/", campaigns.campaign_delete, name="campaign-delete"),
    path("campaigns/<int:pk>/members/add/", members.members_add, name="campaign-members-add"),
    path("campaigns/<int:pk>/members/segment/", members.members_add_segment, name="campaign-members-segment"),
    path("campaigns/<int:pk>/members/remove/", members.members_remove, name="campaign-members-remove"),
    path("campaigns/<int:pk>/members/<int:member_pk>/status/", members.member_status, name="campaign-member-status"),
    # The "Campaigns" card of a contact's, a lead's or a deal's page (``modules.contacts.record_cards``).
    path("campaigns/of/<str:subject>/<int:pk>/", members.record_campaigns_card, name="record-campaigns"),
    path("attribution/", attribution.attribution_report, name="attribution"),
]
