#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svmonitor.settings")
    # A command run with no configuration at all (no DEBUG, no SECRET_KEY) is a developer's on
    # their checkout, so it gets the development settings. A server always sets both (via .env
    # and scripts/dotenv.sh), and gunicorn goes through wsgi.py, which never does this.
    if not any(name in os.environ for name in ("DEBUG", "SECRET_KEY", "SECRET_KEY_FILE")):
        os.environ["DEBUG"] = "True"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
