"""The customer portal at ``/portal/`` on the tenant's host. ``link/<token>/`` carries a secret
(``crm_platform.redaction`` keeps it out of logs)."""

from django.urls import path

from modules.service.portal.views import cases, knowledge, pages, sign_in

app_name = "portal"

urlpatterns = [
    path("", pages.home, name="home"),
    path("sign-in/", sign_in.sign_in, name="sign-in"),
    path("sign-in/link/", sign_in.request_sign_in_link, name="request-link"),
    path("link/<str:token>/", sign_in.sign_in_link, name="link"),
    path("sign-out/", sign_in.sign_out, name="sign-out"),
    path("logo/", sign_in.logo, name="logo"),
    path("language/", sign_in.set_language, name="set-language"),
    path("account/", pages.account, name="account"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/new/", cases.case_create, name="case-create"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/reply/", cases.case_reply, name="case-reply"),
    path("cases/<int:pk>/files/<int:file_id>/", cases.case_attachment, name="case-file"),
    path("quotes/", pages.quote_list, name="quotes"),
    path("quotes/<int:pk>/", pages.quote_detail, name="quote"),
    path("quotes/<int:pk>/answer/", pages.quote_answer, name="quote-answer"),
    path("orders/", pages.order_list, name="orders"),
    path("orders/<int:pk>/", pages.order_detail, name="order"),
    path("help/", knowledge.article_list, name="articles"),
    path("help/<int:pk>/", knowledge.article_detail, name="article"),
    path("help/<int:pk>/rate/", knowledge.article_rate, name="article-rate"),
]
