"""Local / embedded default: SQLite, the SQLAlchemy broker, debug on unless told otherwise."""
from backend.env import development_seed, env_bool, env_str
from backend.settings import base
from backend.settings.base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)
# Only for a developer's own machine; production.py refuses to start without a real key.
SECRET_KEY = base.SECRET_KEY or "local-development-only-not-secret"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# No collectstatic step on a developer's machine: serve static files straight from the apps.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None

# The transparency log's signing key: a development key made once into a gitignored file when the
# environment gives none (production.py refuses to start without one).
TRANSPARENCY_SIGNING_KEY = TRANSPARENCY_SIGNING_KEY or development_seed(BASE_DIR / ".transparency-dev-key")  # noqa: F405
