"""Test settings: fast hashing, in-memory mail; the database comes from DATABASE_URL."""
from backend.env import development_seed, env_str
from backend.settings.base import *  # noqa: F403

SECRET_KEY = "test-only"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker started as a separate process by a test may be given another backend.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
CALENDAR_REFRESH_SECONDS = 0

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the shared-cache in-memory database: concurrency tests need real SQLite
    # locking (busy timeout, IMMEDIATE transactions), which shared-cache mode does not give.
    # TEST_SQLITE_NAME lets two test runs share one checkout without sharing a database file.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / env_str("TEST_SQLITE_NAME", ".test-db.sqlite3"))}  # noqa: F405

# Celery tests run a real worker on a real broker: the embedded SQLAlchemy transport by default,
# Redis or RabbitMQ when CELERY_BROKER_URL says so (CI runs all three). Results stay in memory:
# the worker is a thread of the test process.
_BROKER_FILE = BASE_DIR / env_str("TEST_BROKER_NAME", ".test-celery-broker.sqlite3")  # noqa: F405
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", f"sqla+sqlite:///{_BROKER_FILE}")
CELERY_RESULT_BACKEND = "cache+memory://"
STATIC_ROOT = None  # nothing is collected in tests; whitenoise serves from the apps
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The transparency log's signing key: a development key made once into a gitignored file when the
# environment gives none (production.py refuses to start without one).
TRANSPARENCY_SIGNING_KEY = TRANSPARENCY_SIGNING_KEY or development_seed(BASE_DIR / ".transparency-test-key")  # noqa: F405
