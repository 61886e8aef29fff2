"""Test settings: the real settings with test-only speed-ups.

What the tests need is set here whatever the caller's shell exports: a `DEBUG=True` or a
`DATABASE_URL` left over from `make run` or a server must not change what the tests test or
which database they use. The database is TEST_DATABASE_URL (scripts/with-postgres.sh sets it
for the PostgreSQL run), else SQLite.
"""

import os
import tempfile
from pathlib import Path

_SQLITE = f"sqlite:///{Path(__file__).resolve().parent.parent / 'db.sqlite3'}"
os.environ["DEBUG"] = "False"
os.environ["SECRET_KEY"] = "test-only-secret-key-not-for-production-0123456789abcdef"
os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
# The test client and the live server speak plain HTTP; tests/deploy turns the redirect back on.
os.environ["SECURE_SSL_REDIRECT"] = "False"
# Set in the environment too, for code that reads it there (tests/deploy/test_backup_restore).
os.environ["DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL") or _SQLITE
# Single sign-on is off and passwords on unless a test says otherwise (tests/accounts/test_sso.py).
for _name in [name for name in os.environ if name.startswith("OIDC_")] + ["LOCAL_PASSWORDS"]:
    os.environ.pop(_name, None)

from svmonitor.settings import *  # noqa: E402, F403

# MD5 is fast; hashing strength is not what the tests measure.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The live server for browser tests serves unhashed static files.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Live-server request threads must not keep connections open past their request: PostgreSQL
# refuses to drop the test database while any session is still attached to it.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Results of background jobs (and stored reports) go to this test process's own folder.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="svmonitor-test-media-"))
