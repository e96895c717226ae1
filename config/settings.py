"""Careloop settings: one file, every deployment choice read from the environment.

CARELOOP_ENV=production turns on the secure defaults that `manage.py check --deploy` expects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext

from config.env import EnvError, env_bool, env_int, env_list, env_str

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("CARELOOP_DATA_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_str("CARELOOP_ENV", "development") == "production"
DEBUG = env_bool("CARELOOP_DEBUG", not PRODUCTION)

_secret = env_str("CARELOOP_SECRET_KEY", "")
if not _secret:
    if PRODUCTION:
        raise EnvError("CARELOOP_SECRET_KEY must be set in production")
    _secret = "careloop-development-only-key-not-for-production-use-0123456789"
SECRET_KEY = _secret

# Keys the audit log's hash chain; keep it outside the database (and its backups).
_audit_key = env_str("CARELOOP_AUDIT_KEY", "")
if not _audit_key and PRODUCTION:
    raise EnvError("CARELOOP_AUDIT_KEY must be set in production")
CARELOOP_AUDIT_KEY = _audit_key or "careloop-development-audit-key"

ALLOWED_HOSTS = env_list(
    "CARELOOP_ALLOWED_HOSTS",
    [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env_list("CARELOOP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "careloop.core",
    "careloop.orgs",
    "careloop.audit",
    "careloop.policies",
    "careloop.cases",
    "careloop.safety",
    "careloop.messaging",
    "careloop.intake",
    "careloop.followups",
    "careloop.recovery",
    "careloop.surveys",
    "careloop.insights",
    "careloop.letters",
    "careloop.text",
    "careloop.mail",
    "careloop.sms",
    "careloop.webhooks",
    "careloop.imports",
    "careloop.api",
    "careloop.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "careloop.audit.context.AuditSourceMiddleware",
    "careloop.web.middleware.TimeZoneResetMiddleware",
    "careloop.web.middleware.TwoStepRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "careloop.web.context.navigation",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'careloop.sqlite3'}"
DATABASES: dict[str, Any] = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db), conn_max_age=env_int("CARELOOP_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Form choices iterate querysets; server-side cursors would cost three round trips each
    # (and do not survive a transaction-pooling proxy such as PgBouncer).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = ["careloop.orgs.backends.CareloopBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Translations of the client-facing pages and messages; adding a language is adding a folder
# here (locale/<code>/LC_MESSAGES/django.po) and an entry in LANGUAGES.
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("en", "English"), ("es", "Español"), ("it", "Italiano")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Production serves collected files from STATIC_ROOT; embedded mode serves app files directly.
_static_root = env_str("CARELOOP_STATIC_ROOT", str(DATA_DIR / "static") if PRODUCTION else "")
STATIC_ROOT = Path(_static_root) if _static_root else None
WHITENOISE_USE_FINDERS = not PRODUCTION  # embedded mode serves app static files directly
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Client narratives are health information: cap request bodies and never log them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
CARELOOP_NARRATIVE_MAX_CHARS = env_int("CARELOOP_NARRATIVE_MAX_CHARS", 50_000)
# Imports of historical cases (careloop.imports): the largest file accepted and its most rows
# (an import is one transaction holding the audit chain head: other writers wait until it ends).
CARELOOP_IMPORT_MAX_BYTES = env_int("CARELOOP_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
CARELOOP_IMPORT_MAX_ROWS = env_int("CARELOOP_IMPORT_MAX_ROWS", 5_000)
# REST API: calls per token per window (sliding window in the cache).
CARELOOP_API_RATE_LIMIT = (
    env_int("CARELOOP_API_RATE_LIMIT", 600),
    env_int("CARELOOP_API_RATE_WINDOW_SECONDS", 60),
)

# Consecutive failed sign-ins (passwords or two-step codes) that lock an account, and for how long.
# Public intake: (hits, window seconds). Per address: submissions and status-link lookups; per
# form: all submissions to one facility's form together (a flood from many addresses).
CARELOOP_INTAKE_LIMITS = {
    "submit_address": (env_int("CARELOOP_INTAKE_PER_ADDRESS", 8), 600),
    "submit_form": (env_int("CARELOOP_INTAKE_PER_FORM", 300), 600),
    "status_address": (env_int("CARELOOP_STATUS_PER_ADDRESS", 60), 300),
    "status_miss_address": (env_int("CARELOOP_STATUS_MISSES_PER_ADDRESS", 10), 600),
}
# Absolute address of this Careloop, for links in emails sent by background work (no request).
CARELOOP_BASE_URL = env_str("CARELOOP_BASE_URL", "").rstrip("/")
CARELOOP_TRUSTED_PROXY = env_bool("CARELOOP_TRUSTED_PROXY", False)
# Text messages and voicemail (careloop.sms): "console" logs that a text was sent (never its
# body or number); "twilio" uses a Twilio-compatible REST API. The auth token also checks the
# signatures of the provider's webhooks (none is accepted without it).
CARELOOP_SMS_BACKEND = env_str("CARELOOP_SMS_BACKEND", "console")
CARELOOP_SMS_ACCOUNT_SID = env_str("CARELOOP_SMS_ACCOUNT_SID", "")
CARELOOP_SMS_AUTH_TOKEN = env_str("CARELOOP_SMS_AUTH_TOKEN", "")
CARELOOP_SMS_FROM = env_str("CARELOOP_SMS_FROM", "")
CARELOOP_SMS_API_BASE = env_str("CARELOOP_SMS_API_BASE", "https://api.twilio.com").rstrip("/")
CARELOOP_SMS_THREAD_DAYS = env_int("CARELOOP_SMS_THREAD_DAYS", 30)
CARELOOP_KIOSK_IDLE_SECONDS = env_int("CARELOOP_KIOSK_IDLE_SECONDS", 120)
CARELOOP_PUBLIC_FORM_MAX_AGE = env_int("CARELOOP_PUBLIC_FORM_MAX_AGE", 24 * 3600)

_cache_url = env_str("CARELOOP_CACHE_URL", "")
CACHES: dict[str, Any] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url.startswith(("redis://", "rediss://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CARELOOP_LOCKOUT_ATTEMPTS = env_int("CARELOOP_LOCKOUT_ATTEMPTS", 5)
CARELOOP_LOCKOUT_MINUTES = env_int("CARELOOP_LOCKOUT_MINUTES", 15)

SESSION_COOKIE_AGE = env_int("CARELOOP_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("CARELOOP_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("CARELOOP_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = env_str(
    "CARELOOP_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("CARELOOP_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CARELOOP_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("CARELOOP_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("CARELOOP_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CARELOOP_EMAIL_TLS", False)
# Inbound email (careloop.mail): largest attachment kept; messages per sender per hour.
CARELOOP_MAIL_MAX_ATTACHMENT_BYTES = env_int("CARELOOP_MAIL_MAX_ATTACHMENT_BYTES", 10_000_000)
CARELOOP_MAIL_PER_SENDER_PER_HOUR = env_int("CARELOOP_MAIL_PER_SENDER_PER_HOUR", 20)
DEFAULT_FROM_EMAIL = env_str("CARELOOP_FROM_EMAIL", "careloop@localhost")

TASKS = {
    "default": {
        "BACKEND": env_str("CARELOOP_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
CARELOOP_SWEEP_SECONDS = env_int("CARELOOP_SWEEP_SECONDS", 30)
# Text intelligence: retrain a codebook's models after this many new staff corrections.
CARELOOP_TEXT_RETRAIN_AFTER = env_int("CARELOOP_TEXT_RETRAIN_AFTER", 50)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CARELOOP_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
