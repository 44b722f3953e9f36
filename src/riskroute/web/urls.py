"""Root URLs: login/logout, the JSON API under /api/, and the HTML pages (cases.ui)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from riskroute.cases.api import api
from riskroute.web.hardening import handle_database_errors_in

handle_database_errors_in(api)
handler500 = "riskroute.web.hardening.server_error"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("riskroute.accounts.urls")),
    path("api/", api.urls),
    path("", include("riskroute.cases.ui.urls")),
]
