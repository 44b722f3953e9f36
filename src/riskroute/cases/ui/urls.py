"""URL routes of the HTML interface, included at the site root by ``riskroute.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from riskroute.cases.ui import correction_views, intake_views, views

app_name = "cases-ui"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("cases/mine/", views.my_cases, name="my-cases"),
    path("cases/team/", views.team, name="team"),
    path("cases/overdue/", views.overdue, name="overdue"),
    path("alerts/", views.alerts, name="alerts"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("cases/new/", views.referral, name="referral"),
    path("cases/import/", intake_views.upload, name="import"),
    path("cases/import/<int:pending_id>/apply/", intake_views.apply, name="import-apply"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/facts/", views.facts, name="facts"),
    path("cases/<int:case_id>/assign/", views.assign, name="assign"),
    path("cases/<int:case_id>/enforcement/", views.enforcement, name="enforcement"),
    path("cases/<int:case_id>/safeguarding/", views.safeguarding, name="safeguarding"),
    path("cases/<int:case_id>/safeguarding/children/", views.children, name="children"),
    path("cases/<int:case_id>/assessment/", views.assessment, name="assessment"),
    path("cases/<int:case_id>/disposal/propose/", views.propose, name="propose"),
    path("cases/<int:case_id>/disposal/decide/", views.decide, name="decide"),
    path("cases/<int:case_id>/caution/", views.caution, name="caution"),
    path("cases/<int:case_id>/notification/", views.notification, name="notification"),
    path("cases/<int:case_id>/attendance/", views.attendance, name="attendance"),
    path("cases/<int:case_id>/attendance/complete/", views.completion, name="completion"),
    path("cases/<int:case_id>/breach/", views.breach, name="breach"),
    path("cases/<int:case_id>/prosecution/", views.prosecution, name="prosecution"),
    path("cases/<int:case_id>/prosecution/outcome/", views.outcome, name="outcome"),
    path("cases/<int:case_id>/close/", views.close, name="close"),
    path("cases/<int:case_id>/corrections/<str:record>/", correction_views.correction, name="correct"),
    path(
        "cases/<int:case_id>/corrections/<str:record>/<int:record_id>/",
        correction_views.correction,
        name="correct-record",
    ),
    path("cases/<int:case_id>/justification/", views.justify, name="justify"),
    path("cases/<int:case_id>/shares/", views.shares, name="shares"),
    path("cases/<int:case_id>/shares/<int:share_id>/revoke/", views.revoke_share, name="revoke-share"),
    path("cases/<int:case_id>/erase/", views.erase, name="erase"),
    path("cases/<int:case_id>/review/", views.review, name="review"),
    path("records/review/", views.records_review, name="records-review"),
]
