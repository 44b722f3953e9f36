"""ASGI entry point (not used by `riskroute serve`, kept for ASGI servers)."""

import os

from django.core.asgi import get_asgi_application

from riskroute.web import startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskroute.web.settings")
startup.prepare()  # the data directory, secret key and database file, before the settings are read
application = get_asgi_application()
