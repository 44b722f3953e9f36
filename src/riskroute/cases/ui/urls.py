"""URL routes of the HTML interface, included at the site root by ``riskroute.web.urls``.

The step pages' routes come from the command registry: each command with a page is served at
`cases/<case_id>/<page.path>/` under the page's name.
"""

from django.urls import URLPattern, URLResolver, path

from riskroute.cases.commands import REGISTRY
from riskroute.cases.ui import correction_views, intake_views, record_views, views, worklist_views

app_name = "cases-ui"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", worklist_views.home, name="home"),
    path("cases/mine/", worklist_views.my_cases, name="my-cases"),
    path("cases/team/", worklist_views.team, name="team"),
    path("cases/overdue/", worklist_views.overdue, name="overdue"),
    path("alerts/", worklist_views.alerts, name="alerts"),
    path("dashboard/", worklist_views.dashboard, name="dashboard"),
    path("cases/new/", views.referral, name="referral"),
    path("cases/import/", intake_views.upload, name="import"),
    path("cases/import/<int:pending_id>/apply/", intake_views.apply, name="import-apply"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    *[
        path(f"cases/<int:case_id>/{c.page.path}/", views.step_view(c), name=c.page.name)
        for c in REGISTRY.values()
        if c.page is not None
    ],
    path("cases/<int:case_id>/corrections/<str:record>/", correction_views.correction, name="correct"),
    path(
        "cases/<int:case_id>/corrections/<str:record>/<int:record_id>/",
        correction_views.correction,
        name="correct-record",
    ),
    path("cases/<int:case_id>/justification/", views.justify, name="justify"),
    path("cases/<int:case_id>/shares/", record_views.shares, name="shares"),
    path("cases/<int:case_id>/shares/<int:share_id>/revoke/", record_views.revoke_share, name="revoke-share"),
    path("cases/<int:case_id>/erase/", record_views.erase, name="erase"),
    path("cases/<int:case_id>/review/", record_views.review, name="review"),
    path("records/review/", record_views.records_review, name="records-review"),
]
