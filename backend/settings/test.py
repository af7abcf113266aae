"""Test settings: fast hashing, in-memory mail; the database comes from DATABASE_URL."""
from backend.settings.base import *  # noqa: F403

SECRET_KEY = "test-only"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CALENDAR_REFRESH_SECONDS = 0
