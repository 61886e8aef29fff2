"""Production settings from the environment: .env.example passes `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def example_env() -> dict:
    """The variables .env.example sets, as `make serve` would read them."""
    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def run_manage(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    # A clean environment: the test process's own settings variables must not leak in.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "svmonitor.settings"
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(tmp_path, **overrides) -> dict:
    env = example_env()
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    # No server needed for the checks: a file database stands in for PostgreSQL.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    env.update(overrides)
    return env


def test_env_example_sets_every_required_variable():
    env = example_env()
    required_variables = (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "DATABASE_URL",
        "ACCESSIBILITY_CONTACT_EMAIL",
    )
    for required in required_variables:
        assert env.get(required), required
    assert env["DEBUG"] == "False"


def test_check_deploy_passes_with_the_production_settings(tmp_path):
    done = run_manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_also_passes_with_defaults_only(tmp_path):
    """The secure defaults hold when a council sets only the required variables."""
    env = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "svmonitor.example.gov.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        # The accessibility statement's contact (issue 16.4): without it, svmonitor.W010.
        "ACCESSIBILITY_CONTACT_EMAIL": "digital-accessibility@example.gov.uk",
    }
    done = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("override", "warning"),
    [
        ({"SECURE_SSL_REDIRECT": "False"}, "security.W008"),
        ({"SESSION_COOKIE_SECURE": "False"}, "security.W012"),
        ({"CSRF_COOKIE_SECURE": "False"}, "security.W016"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
    ],
)
def test_check_deploy_fails_when_a_protection_is_turned_off(tmp_path, override, warning):
    done = run_manage(
        production_env(tmp_path, **override), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert done.returncode != 0
    assert warning in done.stderr + done.stdout


def test_it_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    done = run_manage(env, "check")
    assert done.returncode != 0
    assert "SECRET_KEY is required" in done.stderr


def test_it_refuses_the_placeholder_secret_key(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=example_env()["SECRET_KEY"])
    done = run_manage(env, "check")
    assert done.returncode != 0
    assert "placeholder" in done.stderr


def test_a_typo_in_a_switch_is_refused(tmp_path):
    done = run_manage(production_env(tmp_path, SESSION_COOKIE_SECURE="ture"), "check")
    assert done.returncode != 0
    assert "SESSION_COOKIE_SECURE must be True or False" in done.stderr


def test_debug_turns_the_https_only_switches_off_for_make_run(tmp_path):
    """`make run` (DEBUG=True, no other variable) must work on http://127.0.0.1:8000."""
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.CSRF_COOKIE_HTTPONLY)"
    )
    env = {"DEBUG": "True", "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"}
    done = run_manage(env, "shell", "--no-imports", "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "False", "0", "True"]


def test_gunicorn_accepts_its_config_and_loads_the_app(tmp_path):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(production_env(tmp_path), DJANGO_SETTINGS_MODULE="svmonitor.settings")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    done = subprocess.run(  # noqa: S603 - the virtualenv's gunicorn with fixed arguments
        [str(gunicorn), "--check-config", "-c", "gunicorn.conf.py", "svmonitor.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_command_with_no_configuration_at_all_uses_the_development_settings(tmp_path):
    done = run_manage({"DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"}, "check")
    assert done.returncode == 0, done.stdout + done.stderr
    # Saying DEBUG=False without a secret key is still refused (the test above), so a server
    # that sets any of its settings never falls back to development.
    refused = run_manage({"DEBUG": "False"}, "check")
    assert refused.returncode != 0
    assert "SECRET_KEY is required" in refused.stderr
