"""The test settings ignore the caller's DEBUG and DATABASE_URL (`make test` from any shell)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
from django.conf import settings
from django.db import connection


def test_the_settings_are_the_tests_own(db):
    assert settings.DEBUG is False
    assert connection.vendor == "sqlite"
    assert "nowhere" not in str(settings.DATABASES["default"])
"""


def test_a_shells_debug_and_database_url_do_not_reach_the_tests(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    # What a developer's shell may hold after `make run` or working on a server.
    env.update(DEBUG="True", DATABASE_URL="postgres://svmonitor@nowhere.invalid:1/svmonitor")
    done = subprocess.run(  # noqa: S603 - our own test run with fixed arguments
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--nomigrations",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(ROOT),
            str(probe),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 passed" in done.stdout


def test_an_empty_database_url_means_the_default_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(DEBUG="True", DATABASE_URL="", DJANGO_SETTINGS_MODULE="svmonitor.settings")
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
