"""Settings for svmonitor: one file, configured from the environment (see .env.example)."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    """Read a string; a NAME_FILE variable (a mounted secret) wins over NAME."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Read a strict boolean: only True or False are accepted, so a typo cannot flip a switch."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {raw!r}")
    return raw == "True"


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is False")
    SECRET_KEY = "dev-only-insecure-key-never-used-with-debug-off"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin with our site: sign-in follows LOCAL_PASSWORDS (svmonitor.admin_site).
    "svmonitor.apps.SiteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The data feed (/api/): Django REST framework and its OpenAPI description.
    "rest_framework",
    "drf_spectacular",
    # Background work (svmonitor/jobs.py): the tasks framework and its database backend.
    "django_tasks",
    "django_tasks_db",
    # Layers, lowest first (docs/architecture.md; checked by import-linter in `make test`).
    "svmonitor",
    "conditions",
    "risks",
    "metrics",
    "finance",
    "overview",
    "workbook",
    "reports",
    # The data feed, above reports (it reads the frozen records).
    "api",
    # Demo and national-scale generators: management commands only, outside the layers.
    "demo",
]

MIDDLEWARE = [
    # First: even a redirect or an error from a later middleware gets a request id.
    "svmonitor.middleware_security.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "svmonitor.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: the 12-hour sign-out leaves a message on the sign-in page.
    "svmonitor.middleware.SessionLifetimeMiddleware",
    "svmonitor.middleware.SecondFactorMiddleware",
    # After CSRF (its process_view refuses a forged POST first): a form posted after the
    # session ended is kept for its author to check and save after signing in again.
    "svmonitor.pending.PendingSubmissionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a lockout flagged during sign-in into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "svmonitor.urls"
WSGI_APPLICATION = "svmonitor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "svmonitor.access.council_permissions",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        # Empty counts as unset, as DEBUG does.
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    # OWASP ASVS 5.0: length and a breached/common list, no composition rules.
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Issue 16.5: no repeats, sequences, or passwords built from the user's or council's names.
    {"NAME": "svmonitor.password_validators.PasswordShapeValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Accounts and sign-in (issue 3). Throttling first: it refuses a locked-out username+IP before
# any password is checked; the account backend refuses demo accounts unless DEBUG is on.
AUTHENTICATION_BACKENDS = [
    "svmonitor.backends.ThrottleBackend",
    "svmonitor.backends.AccountBackend",
]
# Single sign-on over OpenID Connect (issue 16.1; docs/sso.md, docs/deploy.md), off unless
# OIDC_RP_CLIENT_ID is set. mozilla-django-oidc exchanges the code and checks the ID token's
# signature and nonce; svmonitor.sso matches the verified e-mail to an account an administrator
# set up (no self-registration). OIDC_ENTRA_TENANT_ID fills in Microsoft Entra ID's endpoints;
# each can be given on its own instead (another provider, or a test's loopback provider).
OIDC_ENTRA_TENANT_ID = env_str("OIDC_ENTRA_TENANT_ID", "")
_ENTRA = f"https://login.microsoftonline.com/{OIDC_ENTRA_TENANT_ID}" if OIDC_ENTRA_TENANT_ID else ""
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str(
    "OIDC_OP_AUTHORIZATION_ENDPOINT", _ENTRA and f"{_ENTRA}/oauth2/v2.0/authorize"
)
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", _ENTRA and f"{_ENTRA}/oauth2/v2.0/token")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", _ENTRA and f"{_ENTRA}/discovery/v2.0/keys")
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER", _ENTRA and f"{_ENTRA}/v2.0")
# Optional: claims the ID token lacks are read here (the ID token's own claims win).
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
# Optional: sign-out then ends the provider's session too (RP-initiated logout).
OIDC_OP_END_SESSION_ENDPOINT = env_str(
    "OIDC_OP_END_SESSION_ENDPOINT", _ENTRA and f"{_ENTRA}/oauth2/v2.0/logout"
)
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
OIDC_TIMEOUT = 10
# The `amr` values that count as multi-factor: RFC 8176's "mfa", and Entra's "ngcmfa".
OIDC_MFA_AMR_VALUES = env_list("OIDC_MFA_AMR_VALUES", "mfa,ngcmfa")
# The button says "Sign in with <this>".
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Microsoft")
SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
if SSO_ENABLED:
    _missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
            "OIDC_OP_ISSUER",
        )
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"OIDC_RP_CLIENT_ID is set, so single sign-on needs {', '.join(_missing)} "
            "(or OIDC_ENTRA_TENANT_ID for Microsoft Entra ID)"
        )
# Local passwords (the username and password form). False: nobody, superusers included, signs
# in with a password; the break-glass is to set it back to True and restart (docs/sso.md).
LOCAL_PASSWORDS = env_bool("LOCAL_PASSWORDS", True)
if not LOCAL_PASSWORDS and not SSO_ENABLED:
    raise ImproperlyConfigured("LOCAL_PASSWORDS=False needs single sign-on (OIDC_RP_CLIENT_ID)")
# Idle timeout: the cookie lives 30 minutes and every request pushes it on.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
# Absolute timeout, enforced by svmonitor.middleware.SessionLifetimeMiddleware.
SESSION_ABSOLUTE_AGE = 12 * 60 * 60
# TOTP for roles that sign off or administer; on by default whenever DEBUG is off.
REQUIRE_TOTP = env_bool("REQUIRE_TOTP", not DEBUG)
OTP_TOTP_ISSUER = "svmonitor"
# django-axes: count failures per username+IP pair, so an unknown and a known username are
# throttled alike and the answer never says which exists; the lockout page says the account is
# locked and from when to try again (svmonitor.auth_views.signin_throttled).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
# A try during the lockout does not restart the cool-off, so the time the page gives holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "svmonitor.auth_views.signin_throttled"
AXES_RESET_ON_SUCCESS = True
# Successful sign-ins go to our own audit trail (svmonitor.signals), not a second log.
AXES_DISABLE_ACCESS_LOG = True

# Deployment security (issue 8; see docs/deploy.md). Each switch can be set in the environment
# and otherwise follows DEBUG: on for a server, off for `make run` on http://127.0.0.1:8000.
if SECRET_KEY.startswith("replace-with"):
    raise ImproperlyConfigured("SECRET_KEY is still the .env.example placeholder; set a real one")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer's health probe may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Only behind a proxy that sets X-Forwarded-Proto itself and drops a client's own.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# htmx sends the token from the page (hx-headers on <body>), so no script needs the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "svmonitor.error_views.csrf_failure"
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # Preloading commits the council's whole domain to HTTPS in every browser: the domain's
    # owner decides that, not this application (docs/deploy.md), so its warning is silenced.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content-Security-Policy (django-csp 4): no inline script or style and no eval anywhere; pages
# load their scripts and styles from static/ (plotly.js charts read json_script data).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if SSO_ENABLED and OIDC_OP_END_SESSION_ENDPOINT:
    # Sign-out is a form POST that ends at the provider's end-session page: form-action governs
    # where a form's redirects may go, so the provider's origin is allowed there.
    from urllib.parse import urlsplit

    _end = urlsplit(OIDC_OP_END_SESSION_ENDPOINT)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_end.scheme}://{_end.netloc}")

# Caches. Rate-limit counts must be shared by every gunicorn worker, so on a server they live in
# the database (`manage.py createcachetable`, run by `make serve`); `make run` is one process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
        if DEBUG
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "svmonitor_ratelimit",
        }
    ),
}
# Per person per minute (svmonitor.ratelimit); 0 turns a limit off.
EXPORT_RATE_PER_MINUTE = int(env_str("EXPORT_RATE_PER_MINUTE", "10"))
UPLOAD_RATE_PER_MINUTE = int(env_str("UPLOAD_RATE_PER_MINUTE", "5"))
# Background work (svmonitor/jobs.py): renders, imports and reminder runs are tasks in the
# database, run by `manage.py db_worker` processes (as many as the deployment wants).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Renders (PDF, board pack, .docx) at once across every worker of the deployment, counted in
# the database; a render that finds none free waits in the queue RENDER_WAIT_SECONDS.
RENDER_SLOTS = int(env_str("RENDER_SLOTS", "2"))
RENDER_WAIT_SECONDS = int(env_str("RENDER_WAIT_SECONDS", "2"))
# A running job whose worker has not reported for this long died with it: a render is queued
# again (at most JOB_MAX_ATTEMPTS runs in all), an import is reported as failed.
JOB_STALE_SECONDS = int(env_str("JOB_STALE_SECONDS", "120"))
JOB_MAX_ATTEMPTS = int(env_str("JOB_MAX_ATTEMPTS", "2"))
# A job no worker picked up in this long is reported as failed (are the workers running?).
JOB_QUEUE_TIMEOUT_SECONDS = int(env_str("JOB_QUEUE_TIMEOUT_SECONDS", "1800"))
# Each PDF render, in the worker: a child process with a time limit and a memory cap.
PDF_TIMEOUT_SECONDS = int(env_str("PDF_TIMEOUT_SECONDS", "60"))
PDF_MAX_MEMORY_MB = int(env_str("PDF_MAX_MEMORY_MB", "512"))

# The DfE report as Word (issue 16.3; reports/docx/template.py): a council's own restyled
# template is <REPORT_DOCX_TEMPLATE_DIR>/<council slug>.docx; without one, the default in
# reports/docx/templates/report.docx.
REPORT_DOCX_TEMPLATE_DIR = env_str("REPORT_DOCX_TEMPLATE_DIR", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line names the request, the user id and the council (svmonitor.middleware_security).
    "filters": {"request_context": {"()": "svmonitor.middleware_security.RequestContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "[request=%(request_id)s user=%(user)s council=%(council)s] %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every render step at INFO; keep its warnings only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; sign-ins are in the audit trail already.
        "axes": {"level": "WARNING"},
    },
}

# Demo accounts (issue 3) may sign in only while DEBUG is on.
DEMO_PASSWORD = "svmonitor-demo-2024"  # noqa: S105 - public, DEBUG-only demo

# Workbook import (issue 6): the upload size limit, and what a .xlsx may expand to.
WORKBOOK_MAX_BYTES = int(env_str("WORKBOOK_MAX_BYTES", str(10 * 1024 * 1024)))
WORKBOOK_MAX_UNCOMPRESSED = int(env_str("WORKBOOK_MAX_UNCOMPRESSED", str(200 * 1024 * 1024)))
WORKBOOK_MAX_ENTRIES = 500
# Data rows read from one sheet; a longer sheet is refused with a message naming it.
WORKBOOK_MAX_ROWS_PER_SHEET = int(env_str("WORKBOOK_MAX_ROWS_PER_SHEET", "20000"))

# E-mail (issue 15: reminders by `manage.py send_reminders`), through Django's e-mail backend.
# SMTP by default; EMAIL_HOST_PASSWORD may be given as EMAIL_HOST_PASSWORD_FILE (a secret).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(env_str("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "svmonitor <svmonitor@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people open svmonitor at, without a trailing slash: e-mails link to pages there.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
# The accessibility statement (/accessibility/, issue 16.4) names who runs this copy of
# svmonitor and where to report a problem: the operator's details, set per deployment.
SERVICE_OPERATOR = env_str("SERVICE_OPERATOR", "")
ACCESSIBILITY_CONTACT_EMAIL = env_str("ACCESSIBILITY_CONTACT_EMAIL", "")


# --- The data feed (/api/, api/; docs/power-bi.md) -------------------------------------------
# Token only (no session), read only, JSON or CSV; no browsable HTML pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "api.renderers.CSVRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "svmonitor data feed",
    "DESCRIPTION": (
        "Read-only rows for Power BI and DfE data requests: councils, returns, condition and "
        "risk ratings, key measures and their figures in long form, finance lines. A return "
        "that is ready, signed off or submitted is read from the record frozen when it was "
        "marked ready. Send `Authorization: Bearer <token>`; add `?format=csv` for CSV."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api",
}
