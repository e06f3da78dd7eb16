"""Settings, all from the environment. The default is an SQLite file under var/ so that one command runs it."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/aftersales
PROJECT_DIR = Path(os.environ.get("AFTERSALES_HOME", BASE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("AFTERSALES_VAR", PROJECT_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
_secret_file = VAR_DIR / "secret_key"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # A generated key kept under var/ so sessions survive restarts of a laptop install.
    if not _secret_file.exists():
        from django.core.management.utils import get_random_secret_key

        _secret_file.write_text(get_random_secret_key() + get_random_secret_key())
        _secret_file.chmod(0o600)
    SECRET_KEY = _secret_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "ninja",  # serves its own Swagger UI files for /api/v1/docs (no CDN)
    "aftersales.core",
    "aftersales.accounts",
    "aftersales.customers",
    "aftersales.servicedesk",
    "aftersales.fieldservice",
    "aftersales.feedback",
    "aftersales.reporting",
    "aftersales.sla",
    "aftersales.notifications",
    "aftersales.suppliers",
    "aftersales.inventory",
    "aftersales.contracts",
    "aftersales.billing",
    "aftersales.rma",
    "aftersales.returns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "aftersales.core.middleware.UserLanguageMiddleware",
    "aftersales.core.middleware.BadInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "aftersales.core.middleware.UserTimezoneMiddleware",
    "aftersales.core.middleware.WritePlansMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aftersales.config.urls"
WSGI_APPLICATION = "aftersales.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aftersales.core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get("DB_PREPARE", "1") != "0":
    # Server-side parameter binding with prepared statements: PostgreSQL parses and plans each hot statement (token
    # lookup, request insert, audit insert, ...) once per connection instead of on every call (create: ~+15% req/s).
    # A statement is prepared on its 2nd use (psycopg's prepare_threshold).  Behind PgBouncer in transaction pooling
    # mode prepared statements need PgBouncer ≥ 1.21 with max_prepared_statements set; otherwise set DB_PREPARE=0.
    # plan_cache_mode=force_custom_plan: a prepared statement is still planned for its actual parameters, so a
    # date-range count never falls back to a generic plan (a parallel scan of a million rows; measured 700 ms).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "server_side_binding": True, "prepare_threshold": 1,
        "options": "-c plan_cache_mode=force_custom_plan",
    })
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # max_parallel_workers_per_gather=0 (DB_PARALLEL_WORKERS): a web request's query gets no parallel workers.
    # Under concurrent requests they compete for the same cores and their start-up costs more than they save on
    # these queries: the lead's dashboard (a 6 ms count that launched a worker) 82-85 -> 114 pages/s, p99
    # 117-135 -> 83-92 ms on 1M requests and 2 cores, the other pages unchanged (docs/performance.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c max_parallel_workers_per_gather="
                          f"{int(os.environ.get('DB_PARALLEL_WORKERS') or 0)}").strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions: concurrent writers queue on the busy timeout instead of failing,
    # and a read-then-write transaction cannot deadlock on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=20000; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if os.environ.get("PYTEST_XDIST_WORKER") else 600
    # Writers queue on an OS file lock instead of SQLite's sleeping busy handler (core/sqlite_backend).
    if os.environ.get("AFTERSALES_SQLITE_WRITER_LOCK", "1") != "0":
        DATABASES["default"]["ENGINE"] = "aftersales.core.sqlite_backend"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "aftersales.accounts.backends.AccountBackend",  # Django's ModelBackend, its per-page user lookup prepared
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lock an account (per username and client) after repeated failures, for web and API logins alike.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "aftersales.accounts.views.locked_out"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"  # uploads are streamed by views that check access, never served directly
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)

DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
AFTERSALES_MAX_UPLOAD_BYTES = int(os.environ.get("AFTERSALES_MAX_UPLOAD_BYTES", str(8 * 1024 * 1024)))
AFTERSALES_MAX_TEXT_CHARS = 20_000
AFTERSALES_REOPEN_DAYS = int(os.environ.get("AFTERSALES_REOPEN_DAYS", "30"))
# What a callback with satisfaction <= 2 does: "reopen" the request, or open a "complaint" for the manager.
AFTERSALES_LOW_SATISFACTION_ACTION = os.environ.get("AFTERSALES_LOW_SATISFACTION_ACTION", "complaint")
# Dashboards cache their month-to-date figures this long (per worker process unless REDIS_URL is set); 0 = off.
AFTERSALES_DASHBOARD_CACHE_SECONDS = int(os.environ.get("AFTERSALES_DASHBOARD_CACHE_SECONDS", "60"))
AFTERSALES_API_TOKEN_DAYS = int(os.environ.get("AFTERSALES_API_TOKEN_DAYS", "30"))
AFTERSALES_CURRENCY = os.environ.get("AFTERSALES_CURRENCY", "CNY")  # money is Decimal with this currency
AFTERSALES_PDF_FONT = os.environ.get("AFTERSALES_PDF_FONT", "")

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST") else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "aftersales@localhost")
# Absolute links in emails (e.g. https://service.example.com); in-app links are relative.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}

SESSION_ENGINE = "aftersales.accounts.sessions"  # Django's database sessions, their lookup prepared
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Production hardening: on unless DEBUG, switchable for a plain-HTTP laptop install (make run sets it off).
_secure = env_bool("AFTERSALES_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _secure)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if _secure else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
SECURE_HSTS_PRELOAD = _secure
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SILENCED_SYSTEM_CHECKS: list[str] = []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"aftersales": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}
