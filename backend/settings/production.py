"""Production: every secret from the environment, secure cookies."""
from django.core.exceptions import ImproperlyConfigured

from backend.env import env_bool
from backend.settings.base import *  # noqa: F403

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DJANGO_DEBUG must be 0 in production")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
