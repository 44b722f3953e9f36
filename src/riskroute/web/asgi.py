"""ASGI entry point (not used by `riskroute serve`, kept for ASGI servers)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskroute.web.settings")
application = get_asgi_application()
