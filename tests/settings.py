"""Test settings: the real settings with test-only speed-ups."""

import os

os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The test client and the live server speak plain HTTP; tests/deploy turns the redirect back on.
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")

from svmonitor.settings import *  # noqa: F403

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
