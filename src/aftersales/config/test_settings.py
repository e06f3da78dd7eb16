"""Test settings: the production settings with plain HTTP, fast hashing and isolated files."""

import os

os.environ.setdefault("AFTERSALES_HTTPS", "0")

from .settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Test databases are in memory (no writer lock to take), and pytest-django recognises SQLite by the stock engine's
# name when it names per-worker test databases.
if DATABASES["default"]["ENGINE"] == "aftersales.core.sqlite_backend":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "django.db.backends.sqlite3"  # noqa: F405
