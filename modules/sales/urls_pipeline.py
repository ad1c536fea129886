from django.urls import path

from modules.sales.views import board, deals, leads

urlpatterns = [
    path("leads/", leads.lead_list, name="lead-list"),
    path("leads/new/", leads.lead_create, name="lead-create"),
    path("leads/bulk/", leads.lead_bulk, name="lead-bulk"),
    path("leads/views/", leads.lead_view_save, name="lead-view-save"),
    path("leads/views/<int:pk>/delete/", leads.lead_view_delete, name="lead-view-delete"),
    path("leads/<int:pk>/", leads.lead_detail, name="lead-detail"),
    path("leads/<int:pk>/edit/", leads.lead_edit, name="lead-edit"),
    path("leads/<int:pk>/convert/", leads.lead_convert, name="lead-convert"),
    path("deals/", deals.deal_list, name="deal-list"),
    path("deals/new/", deals.deal_create, name="deal-create"),
    path("deals/bulk/", deals.deal_bulk, name="deal-bulk"),
    path("deals/views/", deals.deal_view_save, name="deal-view-save"),
    path("deals/views/<int:pk>/delete/", deals.deal_view_delete, name="deal-view-delete"),
    path("deals/<int:pk>/", deals.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/edit/", deals.deal_edit, name="deal-edit"),
    path("deals/<int:pk>/won/", deals.deal_won, name="deal-won"),
    path("deals/<int:pk>/lost/", deals.deal_lost, name="deal-lost"),
    path("deals/<int:pk>/undo-move/", deals.deal_undo_move, name="deal-undo-move"),
    path("deals/<int:pk>/delete/", deals.deal_delete, name="deal-delete"),
    path("deals/<int:pk>/move/", board.deal_move, name="deal-move"),
    path("pipeline/", board.board, name="board"),
    path("pipeline/stages/<int:stage_pk>/order/", board.stage_order, name="stage-order"),
    path("pipeline/<int:pipeline_pk>/", board.board, name="board-pipeline"),
]
