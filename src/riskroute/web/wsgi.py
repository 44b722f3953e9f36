"""WSGI entry point for gunicorn (`riskroute serve`)."""

import os

from django.core.wsgi import get_wsgi_application

from riskroute.web import startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskroute.web.settings")
startup.prepare()  # the data directory, secret key and database file, before the settings are read
application = get_wsgi_application()
