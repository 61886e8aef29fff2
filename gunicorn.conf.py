"""gunicorn settings for svmonitor (`make serve`); each can be changed with the variable named."""

import multiprocessing
import os

# Loopback by default: a reverse proxy (nginx, a cloud load balancer) terminates TLS in front.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# gthread: a few processes, each with threads, so a slow PDF export holds a thread, not a
# process; PDF renders themselves run in child processes (svmonitor/pdf_limits.py).
worker_class = "gthread"
# More processes with few threads each, not few with many: a page is Python work, and threads
# of one process take turns on its GIL, so two pages landing on one process each took twice
# as long. `make bench-load` (60 s trials, same machine, same run of data): dashboard p95
# under load 2.33x its idle p95 with cores + 1 processes of 8 threads, 1.57x with 2 x cores + 1
# processes of 2 threads (docs/performance.md). Renders and imports run on the queue, so no
# request holds a thread for long and 2 a process are enough.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Above the PDF time limit (PDF_TIMEOUT_SECONDS, default 60) plus its queue wait.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Trust X-Forwarded-* only from the proxy on this machine (see docs/deploy.md).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Bounded request line and headers.
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The request id (X-Request-ID) joins the access log to the application's log lines.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request=%({x-request-id}o)s pid=%(p)s'
