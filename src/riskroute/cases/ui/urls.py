"""URL routes of the HTML interface, included at the site root by ``riskroute.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
