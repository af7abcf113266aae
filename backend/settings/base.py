"""Settings shared by every environment. Values that differ per deployment come from the
environment (see backend/env.py and README.md, "Configuration")."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from backend.env import env_bool, env_ed25519_seed, env_float, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "backend.translations.LockoutConfig",  # django-axes, named in Chinese in the admin
    "scheduler",
    "disclosure",
    "disclosure.workspace",
    "inspections",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backend.middleware.ContentSecurityPolicyMiddleware",
    "backend.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backend.middleware.PublicPageThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two concurrent writers queue instead of one
    # failing half-way with "database is locked"; WAL lets readers run beside the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# The cache holds the throttle counters, so every web process must share it in production:
# CACHE_URL=redis://host:6379/1 (Django's built-in RedisCache). Without it each process keeps its
# own local memory cache (the embedded default; production.py refuses that unless told).
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "disclosure.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses a password login while its username is locked out (repeated failures).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Object permissions on agencies, with a grant on an agency covering its subtree (guardian's
    # ObjectPermissionBackend would read the grant on the object alone; guardian keeps the grants).
    "disclosure.auth.AgencyTreeBackend",
]
# guardian warns when its own backend is missing; AgencyTreeBackend answers its permissions instead.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
# Agencies carry their own direct-FK permission tables (disclosure.models); guardian's generic
# tables are not used for them.
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
# whitenoise serves the collected static files from the WSGI app itself (no proxy needed).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:records"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "backend.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "backend.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DATE_FORMAT": "iso-8601",
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles key on the client address: REMOTE_ADDR when 0, else the address in X-Forwarded-For
    # that the NUM_PROXIES-th trusted proxy (counted from this server) received the request from.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "监管信息归集公示系统 API",
    "DESCRIPTION": "Supervision-information disclosure system (葫政办发〔2020〕80号).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents the error format and statuses of API.md (backend/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "backend.schema.document_errors"],
}

# Celery. The embedded default is kombu's SQLAlchemy transport on a SQLite file: a real broker
# that needs no server. Production sets CELERY_BROKER_URL to Redis or RabbitMQ.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", f"sqla+sqlite:///{BASE_DIR / 'celery-broker.sqlite3'}")
CELERY_RESULT_BACKEND: str | None = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# How often (seconds) a process re-checks whether the holiday calendar in the database changed.
CALENDAR_REFRESH_SECONDS = env_int("CALENDAR_REFRESH_SECONDS", 60)

# Sent on every response (backend/middleware.py). The pages load scripts, styles, images and fonts
# from this site only (no CDN); inline <style> blocks and style attributes (bar widths) need
# 'unsafe-inline' for styles, never for scripts.
CONTENT_SECURITY_POLICY = env_str("CONTENT_SECURITY_POLICY", "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
    "frame-ancestors 'none'",
]))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

# TrueType CJK fonts embedded in generated PDFs (backend/pdf.py), first one found wins.
PDF_CJK_FONT_PATHS = env_list("PDF_CJK_FONT_PATHS", [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
])

# --- Deadline supervision (scheduler/): reminders, overdue notices, escalation -----------------
# A reminder goes out when a deadline is this many working days away or fewer (not yet today).
DEADLINE_REMINDER_WORKING_DAYS = env_int("DEADLINE_REMINDER_WORKING_DAYS", 2)
# Art. 12: after this many working days overdue, the superior agency and the market-regulation
# bureau are told.
DEADLINE_ESCALATION_WORKING_DAYS = env_int("DEADLINE_ESCALATION_WORKING_DAYS", 5)
# The beat-triggered sweep is split into this many partitions (by subject id), one task each,
# so several workers share a large sweep.
SWEEP_PARTITIONS = env_int("SWEEP_PARTITIONS", 1)
# An incremental sweep also rechecks subjects changed up to this long before the previous sweep
# started: clock skew between servers and transactions still in flight at that moment.
SWEEP_CHANGE_MARGIN_MINUTES = env_int("SWEEP_CHANGE_MARGIN_MINUTES", 60)
# Notices delivered per transaction: a crash loses at most one batch of work, redone next run.
SWEEP_BATCH_SIZE = env_int("SWEEP_BATCH_SIZE", 500)
# An e-mail claim older than this is presumed to belong to a dead worker and is taken over.
NOTIFICATION_EMAIL_LEASE_SECONDS = env_int("NOTIFICATION_EMAIL_LEASE_SECONDS", 900)
# Warn administrators from this month on when next year's holiday calendar is not loaded.
CALENDAR_WARNING_MONTH = env_int("CALENDAR_WARNING_MONTH", 12)
# The health check reports the sweep stale when the last one finished longer ago than this.
SWEEP_STALE_AFTER_HOURS = env_int("SWEEP_STALE_AFTER_HOURS", 26)
# Links in e-mails point here.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# --- The transparency log (README "Transparency log") -------------------------------------------
# The Ed25519 key that signs tree heads: base64 of its 32-byte seed (``manage.py transparency_keygen``).
# production.py refuses to start without it; local and test settings make a development key once.
TRANSPARENCY_SIGNING_KEY: bytes | None = env_ed25519_seed("TRANSPARENCY_SIGNING_KEY")
# The checkpoint's origin line and the note key name (C2SP tlog-checkpoint / signed-note): a
# schema-less URL, no spaces, no "+". Changing it later starts a new log name for note verifiers.
TRANSPARENCY_LOG_ORIGIN = env_str("TRANSPARENCY_LOG_ORIGIN", f"{urlsplit(SITE_URL).netloc}/transparency")
# Leaves per transaction when ``transparency_backfill`` gives existing feed events their leaves.
TRANSPARENCY_BACKFILL_BATCH = env_int("TRANSPARENCY_BACKFILL_BATCH", 5000)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "disclosure@localhost")

# Login lockout (django-axes): this many failed password logins for one username from one
# address lock that pair out for AXES_COOLOFF_HOURS; a successful login resets the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "workspace/locked_out.html"
# Behind a reverse proxy set AXES_IPWARE_PROXY_COUNT and AXES_IPWARE_META_PRECEDENCE_ORDER (see
# the django-axes documentation) so that lockouts key on the client's address, not the proxy's.

# --- Agency workspace (disclosure/workspace) -------------------------------------------------
WORKSPACE_PAGE_SIZE = env_int("WORKSPACE_PAGE_SIZE", 50)  # rows per workspace list page
WORKSPACE_BULK_PUBLISH_MAX = env_int("WORKSPACE_BULK_PUBLISH_MAX", 100)  # drafts per bulk publication
# "Due soon" badges use the reminder threshold of the deadline sweep unless told otherwise.
WORKSPACE_DUE_SOON_WORKING_DAYS = env_int("WORKSPACE_DUE_SOON_WORKING_DAYS", DEADLINE_REMINDER_WORKING_DAYS)

# --- Public side (disclosure/portal, corrections, queries, feed) ------------------------------
# Evidence files of a correction request (Art. 10): at most this many, each at most this big, of
# these types (extension and content are both checked).
PUBLIC_EVIDENCE_MAX_FILES = env_int("PUBLIC_EVIDENCE_MAX_FILES", 5)
PUBLIC_EVIDENCE_MAX_BYTES = env_int("PUBLIC_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
PUBLIC_EVIDENCE_TYPES = env_list("PUBLIC_EVIDENCE_TYPES", ["pdf", "jpg", "jpeg", "png"])
# A public submission whose whole body is larger than this is refused (413) before it is read.
PUBLIC_REQUEST_MAX_BYTES = env_int("PUBLIC_REQUEST_MAX_BYTES", 26 * 1024 * 1024)
# Longest texts a citizen may send (characters).
PUBLIC_TEXT_MAX_CHARS = env_int("PUBLIC_TEXT_MAX_CHARS", 5000)
# The subject's statement beside a published record (当事人陈述) is short: at most this many characters.
PUBLIC_STATEMENT_MAX_CHARS = env_int("PUBLIC_STATEMENT_MAX_CHARS", 500)
# Throttles per client address (DRF rate syntax "N/second|minute|hour|day"); they need a cache
# shared by every web process in production (CACHES, e.g. Redis).
PUBLIC_SEARCH_RATE = env_str("PUBLIC_SEARCH_RATE", "120/minute")
PUBLIC_SUBMIT_RATE = env_str("PUBLIC_SUBMIT_RATE", "10/hour")
# Every public page is throttled per address at PUBLIC_SEARCH_RATE (backend/middleware.py): the
# portal's URL names ("home", "portal-…") and any URL name or namespace listed here.
PUBLIC_PAGE_URL_NAMES = env_list("PUBLIC_PAGE_URL_NAMES", [])
# Kinds that are punitive disclosure (惩戒公示): natural persons' names stay; elsewhere they are
# de-identified (2018 要点).
PUBLIC_PUNITIVE_KINDS = env_list("PUBLIC_PUNITIVE_KINDS", ["penalty", "dishonest_list"])
# Records expired per transaction by the expiry job.
PUBLIC_EXPIRY_BATCH_SIZE = env_int("PUBLIC_EXPIRY_BATCH_SIZE", 500)
# Feed events per page, and the most a receiver may ask for.
PUBLIC_FEED_PAGE_SIZE = env_int("PUBLIC_FEED_PAGE_SIZE", 100)
PUBLIC_FEED_MAX_PAGE_SIZE = env_int("PUBLIC_FEED_MAX_PAGE_SIZE", 1000)
# Push delivery of the feed (Art. 6; README "Push delivery"): every event is POSTed to
# FEED_PUSH_URL in position order, signed with FEED_PUSH_SECRET. Unset: nothing is sent.
FEED_PUSH_URL = env_url("FEED_PUSH_URL")
FEED_PUSH_SECRET = env_str("FEED_PUSH_SECRET", "")
if FEED_PUSH_URL and len(FEED_PUSH_SECRET) < 16:
    raise ImproperlyConfigured(
        "FEED_PUSH_URL is set, so FEED_PUSH_SECRET must be set too (at least 16 characters, shared with the "
        "receiver): every pushed event is signed with it (X-Signature)")
# One request may take this long (connect, send, answer) before it counts as failed.
FEED_PUSH_TIMEOUT_SECONDS = env_float("FEED_PUSH_TIMEOUT_SECONDS", 10.0)
# After the n-th failure in a row the next attempt waits min(cap, base * 2**(n-1)), less up to
# half of it at random (jitter), so a receiver coming back is not hit by every retry at once.
FEED_PUSH_BACKOFF_BASE_SECONDS = env_float("FEED_PUSH_BACKOFF_BASE_SECONDS", 2.0)
FEED_PUSH_BACKOFF_CAP_SECONDS = env_float("FEED_PUSH_BACKOFF_CAP_SECONDS", 600.0)
# Events read per query; the acknowledged position is committed after each such batch (and at
# least every third of the lease), so a crash resends at most one batch, which receivers dedupe.
FEED_PUSH_BATCH_SIZE = env_int("FEED_PUSH_BATCH_SIZE", 100)
# A delivering worker holds the delivery row for this long, renewed as it commits; a killed
# worker's lease is taken over when it has expired. Must exceed the timeout by a margin.
FEED_PUSH_LEASE_SECONDS = env_float("FEED_PUSH_LEASE_SECONDS", 60.0)
if FEED_PUSH_TIMEOUT_SECONDS <= 0 or FEED_PUSH_BACKOFF_BASE_SECONDS <= 0 or FEED_PUSH_BATCH_SIZE < 1:
    raise ImproperlyConfigured("FEED_PUSH_TIMEOUT_SECONDS, FEED_PUSH_BACKOFF_BASE_SECONDS and FEED_PUSH_BATCH_SIZE "
                               "must be positive")
if FEED_PUSH_BACKOFF_CAP_SECONDS < FEED_PUSH_BACKOFF_BASE_SECONDS:
    raise ImproperlyConfigured("FEED_PUSH_BACKOFF_CAP_SECONDS must not be less than FEED_PUSH_BACKOFF_BASE_SECONDS")
if FEED_PUSH_LEASE_SECONDS < 3 * FEED_PUSH_TIMEOUT_SECONDS:
    raise ImproperlyConfigured("FEED_PUSH_LEASE_SECONDS must be at least three times FEED_PUSH_TIMEOUT_SECONDS: "
                               "a lease renewed every third of itself must outlast a request that times out")
# Open data (README "Open data"): the daily dump of everything public, one CSV and one JSON file
# per dataset, under OPEN_DATA_ROOT/YYYY-MM-DD/, kept for OPEN_DATA_KEEP_DAYS days. A worker making
# a dump holds it for OPEN_DATA_LEASE_SECONDS (renewed after each dataset); a dead worker's dump is
# taken over when its lease has expired.
OPEN_DATA_ROOT = Path(env_str("OPEN_DATA_ROOT", str(MEDIA_ROOT / "open-data")))
OPEN_DATA_KEEP_DAYS = env_int("OPEN_DATA_KEEP_DAYS", 30)
OPEN_DATA_LEASE_SECONDS = env_float("OPEN_DATA_LEASE_SECONDS", 1800.0)
if OPEN_DATA_KEEP_DAYS < 1 or OPEN_DATA_LEASE_SECONDS <= 0:
    raise ImproperlyConfigured("OPEN_DATA_KEEP_DAYS and OPEN_DATA_LEASE_SECONDS must be positive")
# Results per page of the public search (API and portal).
PUBLIC_PAGE_SIZE = env_int("PUBLIC_PAGE_SIZE", 20)
# Public search counts exactly up to this many results, then says "more than 1,000" (and offers no
# page past it: 50 pages). A count walks until it has found this many, so its cost grows with the
# cap: twice the cap, twice the time for two common words (bench/README.md).
PUBLIC_COUNT_CAP = env_int("PUBLIC_COUNT_CAP", 1000)
# A search plan chosen from the token statistics that runs longer than this is run again as
# PostgreSQL alone would plan it (disclosure/selectors/public.py).
PUBLIC_SEARCH_PLAN_TIMEOUT_MS = env_int("PUBLIC_SEARCH_PLAN_TIMEOUT_MS", 400)
# Records projected per transaction by reindex_public.
PUBLIC_REINDEX_BATCH_SIZE = env_int("PUBLIC_REINDEX_BATCH_SIZE", 500)
# The account that signs system-made versions (expiry).
SYSTEM_ACTOR_USERNAME = env_str("SYSTEM_ACTOR_USERNAME", "system")


# --- Timeliness audit (reports/) -------------------------------------------------------------
# A rate over fewer decided records than this is shown but marked too few to rank.
AUDIT_MIN_RECORDS_TO_RANK = env_int("AUDIT_MIN_RECORDS_TO_RANK", 5)
# Months in the dashboard's trend chart.
AUDIT_TREND_MONTHS = env_int("AUDIT_TREND_MONTHS", 12)
# A report still "generating" after this long is presumed abandoned and may be claimed again.
AUDIT_REPORT_CLAIM_TIMEOUT_SECONDS = env_int("AUDIT_REPORT_CLAIM_TIMEOUT_SECONDS", 1800)
# Overdue records the monthly PDF lists one by one (the rest are counted).
AUDIT_REPORT_MAX_OVERDUE_ITEMS = env_int("AUDIT_REPORT_MAX_OVERDUE_ITEMS", 300)
# Kinds whose record is a decision with a document number (文书号); flagged when it has none.
AUDIT_DOCUMENT_NUMBER_KINDS = env_list(
    "AUDIT_DOCUMENT_NUMBER_KINDS", ["permit", "penalty", "coercive_measure", "administrative_order", "dishonest_list"]
)
# Rows per page of the dashboard's lists.
AUDIT_PAGE_SIZE = env_int("AUDIT_PAGE_SIZE", 50)

# --- Inspections (inspections/) ---------------------------------------------------------------
# No inspector is drawn for the same entity twice within this many days (rotation window).
INSPECTIONS_INSPECTOR_REPEAT_WINDOW_DAYS = env_int("INSPECTIONS_INSPECTOR_REPEAT_WINDOW_DAYS", 365)
# At least this many inspectors per task (双随机: two or more law-enforcement officers).
INSPECTIONS_MIN_INSPECTORS_PER_TASK = env_int("INSPECTIONS_MIN_INSPECTORS_PER_TASK", 2)
# Largest file the upload pages/API import within one request; larger ones use import_records.
INSPECTIONS_WEB_IMPORT_MAX_ROWS = env_int("INSPECTIONS_WEB_IMPORT_MAX_ROWS", 5000)
INSPECTIONS_IMPORT_MAX_BYTES = env_int("INSPECTIONS_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
