"""A server process's start: load the whole app, then take it out of the garbage collector's way.

Python's cyclic garbage collector, in a full (oldest-generation) collection, walks every
container object the process holds. After Django has loaded the app that is about 180,000
objects (modules, classes, URL patterns, model metadata) that live as long as the process, and
one full collection of them took about 80 ms on the bench machine. A request that builds a
dashboard creates enough objects to set one off every few requests, so about one request in
ten took 80 ms longer than the rest: the dashboard's p95 was twice its p50 (issue 14).

`gc.freeze()` (the standard library's, made for servers) moves the objects alive at that moment
into a permanent generation that collections skip; everything created afterwards is collected
as before. Nothing is kept or skipped for any request: each request does all its work.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver


def app_loaded_freeze() -> None:
    """Import every view module (through the URLconf), then leave what is loaded out of the
    garbage collector's walks. Called once per process, after Django is set up: by
    svmonitor/wsgi.py (each gunicorn worker) and by bench/run.py, which serves in-process."""
    get_resolver().url_patterns  # noqa: B018 - imports the views the URLconf names
    gc.collect()
    gc.freeze()
