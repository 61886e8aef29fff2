"""A gunicorn worker takes what it loaded at start-up out of the garbage collector's scans
(issue 14.5: a full collection stops every thread of the worker while it walks the heap)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a child: gc.freeze is process-wide and must not touch the test run's own collector.
WORKER = """
import gc, runpy, sys
import django
django.setup()
conf = runpy.run_path("gunicorn.conf.py")
before = gc.get_freeze_count()
conf["post_worker_init"](None)
print(before, gc.get_freeze_count(), "reports.views" in sys.modules, gc.isenabled())
"""


def test_a_worker_freezes_the_app_and_its_views_once_loaded_and_keeps_collecting(tmp_path):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(
        DJANGO_SETTINGS_MODULE="svmonitor.settings",
        DEBUG="True",
        DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}",
    )
    done = subprocess.run(  # noqa: S603 - this interpreter with a fixed script
        [sys.executable, "-c", WORKER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    before, frozen, views_loaded, collecting = done.stdout.split()
    assert int(before) == 0
    # Django, the app's modules and every view the URLconf imports: tens of thousands.
    assert int(frozen) > 20_000
    assert views_loaded == "True"
    assert collecting == "True"
