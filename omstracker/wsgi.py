"""WSGI entry point, for gunicorn: `gunicorn omstracker.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omstracker.settings")

application = get_wsgi_application()
