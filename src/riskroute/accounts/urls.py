"""Account routes: the second sign-in step and the auditor's view of the audit log."""

from django.urls import URLPattern, path

from riskroute.accounts import views

urlpatterns: list[URLPattern] = [
    path("accounts/mfa/enrol/", views.mfa_enrol, name="mfa-enrol"),
    path("accounts/mfa/verify/", views.mfa_verify, name="mfa-verify"),
    path("audit/", views.audit_case, name="audit-case"),
]
