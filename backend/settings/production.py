"""Production: every secret from the environment, secure cookies."""
from django.core.exceptions import ImproperlyConfigured

from backend.env import env_bool, env_int
from backend.settings.base import *  # noqa: F403

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DJANGO_DEBUG must be 0 in production")
if not TRANSPARENCY_SIGNING_KEY:  # noqa: F405
    raise ImproperlyConfigured(
        "TRANSPARENCY_SIGNING_KEY must be set in production: the base64 of a 32-byte Ed25519 seed, made once "
        "with `python manage.py transparency_keygen` and kept secret (README, \"Transparency log\"). Heads "
        "signed with an earlier key stay verifiable: its public key is kept in the database.")
if any(c.isspace() or c == "+" for c in TRANSPARENCY_LOG_ORIGIN) or not TRANSPARENCY_LOG_ORIGIN:  # noqa: F405
    raise ImproperlyConfigured("TRANSPARENCY_LOG_ORIGIN must be non-empty without spaces or '+' (C2SP signed-note)")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# HTTPS: a plain-HTTP request is redirected (DJANGO_SECURE_SSL_REDIRECT=0 when the proxy in front
# already redirects), and browsers are told to use HTTPS only (HSTS). Both follow
# DJANGO_SECURE_COOKIES unless set: a deployment on plain HTTP sets that to 0 and gets neither.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the container's health check speaks plain HTTP
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Throttle counters must be shared by every web process (README "Abuse"): a per-process cache
# lets each worker count on its own. DJANGO_ALLOW_LOCAL_CACHE=1 accepts one, for a single process.
if not CACHE_URL and not env_bool("DJANGO_ALLOW_LOCAL_CACHE", False):  # noqa: F405
    raise ImproperlyConfigured(
        "CACHE_URL must name a shared cache in production (e.g. redis://redis:6379/1), "
        "or set DJANGO_ALLOW_LOCAL_CACHE=1 for a single web process")
