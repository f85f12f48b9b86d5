"""The one settings module, configured from the environment.

Environment variables:
    DJANGO_DEBUG          "1" for development (demo defaults allowed); default off.
    DJANGO_SECRET_KEY     required when DEBUG is off: without it the app refuses to start.
    DATABASE_URL          default: SQLite file ``var/cchc.sqlite3``; ``postgres://…`` in production.
    DJANGO_ALLOWED_HOSTS  comma-separated; default ``127.0.0.1,localhost`` (plus ``*`` in DEBUG).
    CCHC_VAR_DIR          where the SQLite file, uploads and collected static files live (default ``./var``).
    MEDIA_ROOT            evidence files (default ``$CCHC_VAR_DIR/media``): never served as static files.
    CCHC_SECURE           "0" to serve over plain HTTP with DEBUG off (e.g. behind a TLS proxy that
                          does not forward the scheme); default on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else default


DEBUG = env_bool("DJANGO_DEBUG", False)
# The test suite runs with DEBUG off over plain HTTP (test client, live server + Chromium).
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
VAR_DIR = Path(os.environ.get("CCHC_VAR_DIR", Path.cwd() / "var")).resolve()

DEV_SECRET_KEY = "django-insecure-cchc-development-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        # Production (DEBUG off) never runs on the published development key: sessions, CSRF
        # tokens and password-reset links would be forgeable by anyone who read this file.
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off: refusing to start on the "
            "development key. Export DJANGO_SECRET_KEY (50+ random characters), or DJANGO_DEBUG=1 "
            "on a development machine."
        )
    # Development (DEBUG on) and the test suite (DEBUG off, not production) only; the deploy
    # check cchc.E001 refuses this key too.
    SECRET_KEY = DEV_SECRET_KEY

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] + (["*"] if DEBUG else [])
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "cchc.core",
    "cchc.orgs",
    "cchc.indicators",
    "cchc.frameworks",
    "cchc.assessments",
    "cchc.workdays",
    "cchc.procedures",
    "cchc.surveys",
    "cchc.plans",
    "cchc.api",
    "cchc.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cchc.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cchc.urls"
WSGI_APPLICATION = "cchc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cchc.orgs.context_processors.navigation",
                "cchc.plans.context_processors.my_work",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'cchc.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Reverse proxies (addresses or networks, e.g. "127.0.0.1,10.0.0.0/8") whose X-Forwarded-For is
# believed: login lockout and the survey rate limits count the client behind them. Empty: the
# direct peer (REMOTE_ADDR) is the client and X-Forwarded-For is ignored (anyone can forge it).
CCHC_TRUSTED_PROXIES = env_list("CCHC_TRUSTED_PROXIES", [])

# Login lockout (django-axes, glue in cchc.core.lockout): a username from one address is locked
# after LOGIN_MAX_FAILURES failures, an address (any usernames) after
# LOGIN_MAX_FAILURES_PER_ADDRESS, both for LOGIN_FAILURE_WINDOW_SECONDS after the last failure.
LOGIN_MAX_FAILURES = int(os.environ.get("CCHC_LOGIN_MAX_FAILURES", "5"))
LOGIN_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("CCHC_LOGIN_MAX_FAILURES_PER_ADDRESS", str(4 * LOGIN_MAX_FAILURES))
)
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("CCHC_LOGIN_FAILURE_WINDOW", "900"))
AUTHENTICATION_BACKENDS = [
    "cchc.core.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "cchc.core.lockout.LoginAttemptHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = "cchc.core.lockout.failure_limit"
AXES_COOLOFF_TIME = "cchc.core.lockout.cool_off"
AXES_RESET_ON_SUCCESS = True  # the pair only: see LoginAttemptHandler.reset_user_attempts
AXES_USERNAME_CALLABLE = "cchc.core.lockout.username_for_lockout"
AXES_CLIENT_IP_CALLABLE = "cchc.core.net.client_group"  # IPv6 by its /64
AXES_LOCKOUT_CALLABLE = "cchc.core.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_COOLOFF_MESSAGE = _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau.")

# API tokens (cchc create-api-token): lifetime in days unless --days says otherwise (0: never).
API_TOKEN_DAYS = int(os.environ.get("CCHC_API_TOKEN_DAYS", "365"))

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Off: ids in templates (hx targets, data-id) must never be grouped; use floatformat:"0g"
# or intcomma where a count should show 19.938.
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["cchc.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Evidence is served only through a permission-checked view, never from MEDIA_URL.
MEDIA_URL = "/_no_public_media/"
EVIDENCE_MAX_BYTES = int(os.environ.get("CCHC_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# Limits of every file import (pages and CLI), each overridable from the environment.
# An uploaded import file (dossier exports are the largest); bigger uploads are refused with a message.
CCHC_MAX_UPLOAD_BYTES = int(os.environ.get("CCHC_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
# A YAML document (framework, questionnaire, mapping, shipped data).
CCHC_MAX_YAML_BYTES = int(os.environ.get("CCHC_MAX_YAML_BYTES", str(2 * 1024 * 1024)))
# XLSX: the uncompressed size of the shared-strings table (read whole into memory by openpyxl)
# and of any other member (a sheet is streamed), checked on the zip directory before loading.
CCHC_MAX_XLSX_SHARED_STRINGS_BYTES = int(
    os.environ.get("CCHC_MAX_XLSX_SHARED_STRINGS_BYTES", str(64 * 1024 * 1024))
)
CCHC_MAX_XLSX_MEMBER_BYTES = int(os.environ.get("CCHC_MAX_XLSX_MEMBER_BYTES", str(1024 * 1024 * 1024)))
# One CSV cell (Python's csv module stops at 128 KiB by default); larger cells are row errors.
CCHC_MAX_CSV_FIELD_BYTES = int(os.environ.get("CCHC_MAX_CSV_FIELD_BYTES", str(1024 * 1024)))
# Django's own caps on the non-file part of a request body stay at their defaults; the upload
# handler below stops reading a file upload above CCHC_MAX_UPLOAD_BYTES.
FILE_UPLOAD_HANDLERS = [
    "cchc.core.uploads.SizeCapUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cchc_cache",
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG and env_bool("CCHC_SECURE", not TESTING):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("CCHC_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("CCHC_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CCHC_LOG_LEVEL", "WARNING")},
}

# E-mail (reminder digests, assessment and entry reminders): Django's backends. The console
# backend while DEBUG is on (the demo prints the mails); SMTP in production (EMAIL_HOST …).
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cchc@localhost")
# The site's address in e-mails (links to the pages), e.g. https://cchc.example.gov.vn
CCHC_SITE_URL = os.environ.get("CCHC_SITE_URL", "")
# Reminders announce a deadline this many working days ahead (province calendar).
CCHC_REMIND_AHEAD_WORKING_DAYS = int(os.environ.get("CCHC_REMIND_AHEAD_WORKING_DAYS", "3"))
