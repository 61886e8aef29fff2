"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svmonitor.settings")
application = get_wsgi_application()

# After the app is loaded (svmonitor/warm.py: full garbage collections stop walking it).
from svmonitor.warm import app_loaded_freeze  # noqa: E402

app_loaded_freeze()
