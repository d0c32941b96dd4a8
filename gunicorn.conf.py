"""gunicorn's settings for OMS Journal, read from the working directory (or with -c).

    .venv/bin/gunicorn omstracker.wsgi            # from the project's folder

Each can be changed from the environment, as the systemd unit in the README does:
GUNICORN_BIND (127.0.0.1:8000), WEB_CONCURRENCY (workers: 2 per core, plus one),
GUNICORN_TIMEOUT (30 s). Behind nginx on the same machine; the app logs each request itself,
with its id (journal.middleware.RequestIdMiddleware), so gunicorn's own access log is off.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"  # nginx buffers slow clients; every request is short
# A worker busy longer than this is killed and replaced: no request hangs a worker for good.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10  # a restart lets requests in flight finish
keepalive = 5  # seconds, longer than nginx's upstream keepalive gap
# Workers are replaced now and then, so that memory a long life gathers is given back.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this machine may say the request came over HTTPS (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = "127.0.0.1,::1"
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "oms-journal"
