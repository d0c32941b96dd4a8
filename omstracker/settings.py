"""Settings for OMS Journal, read once from the environment.

Every variable is listed, with its default, in the README's settings table and in .env.example.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 - refused without DEBUG

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "journal",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # First, so that every response, a redirect or an error too, carries its id and is logged.
    "journal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Right after WhiteNoise: it sees every response but the static files'.
    "journal.middleware.PrivateCacheMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the language cookie (the picker), else the browser's
    # Accept-Language. After the session, before CommonMiddleware, as Django asks.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The account's language, over the cookie's and the browser's, once the user is known.
    "journal.languages.AccountLanguageMiddleware",
    # Before the CSRF check reads the form (process_view), after the user is known (the page).
    "journal.middleware.FormCharsetMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "journal.middleware.PermissionsPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "journal.middleware.AppShellMiddleware",
    "journal.middleware.TimeZoneMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
    # A database that can't be reached for a moment is a 503 "nothing was saved", not a 500.
    "journal.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "omstracker.urls"
WSGI_APPLICATION = "omstracker.wsgi.application"

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
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock (BEGIN IMMEDIATE) instead of failing with "database is locked"
    # when two caregivers save at once; WAL lets pages be read while someone saves.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's minimum length (8), which also ends a login lockout when a password is set.
    {"NAME": "journal.views.accounts.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes checks every login (the login page, the admin's, anything that calls authenticate
# with the request) before Django's own backend does (ours reads the user of each request with
# SQL written once; journal/backends.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "journal.backends.ModelBackend",
]

# Login lockout: after AXES_FAILURE_LIMIT failed logins for one username from one address, that
# pair is refused for AXES_COOLOFF_MINUTES, counted again from each attempt made meanwhile, so
# the page's "try again in 30 minutes" stays true. A successful login, or a new password
# (journal.views.accounts.MinimumLengthValidator), clears the count.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_CALLABLE = "journal.views.accounts.locked_out"
AXES_CLIENT_IP_CALLABLE = "journal.views.accounts.client_ip"
AXES_USERNAME_CALLABLE = "journal.views.accounts.login_username"
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For. 0: the
# address that connects is the client's. Behind one proxy, set 1, or every login would share the
# proxy's address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Password-reset emails (journal.views.accounts.PasswordResetView): at most
# PASSWORD_RESET_LIMIT_PER_EMAIL an hour to one email address, and at most
# PASSWORD_RESET_LIMIT_PER_ADDRESS reset requests an hour from one client address (read as the
# lockout reads it). Past either, nothing is sent, the page is the same "Check your email", and a
# warning is logged. Counted in the "throttle" cache below.
PASSWORD_RESET_LIMIT_PER_EMAIL = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_EMAIL", "3"))
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10"))

# The API (journal/api/): tokens in the Authorization header, or the session (with CSRF) for the
# reference page at /api/v1/docs/; JSON only. API_RATE_LIMIT: requests per token (or per account
# for the session), counted in the "throttle" cache below, so every worker counts together.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/hour")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "journal.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["journal.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OMS Journal API",
    "DESCRIPTION": (
        "A child's OMS journal for other software: days, triggers, treatments, extra items, and "
        "the journal as HL7 FHIR R4. Ratings are parent-reported, not a clinician's scale. "
        "Authenticate with a personal access token from your account page: "
        "`Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # journal/converters.py's "id": a whole number of at most 64 bits.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**63 - 1}
    },
    # The reference page's scripts and styles are served from our own static files, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False},
}

# Pages, charts, PDFs and the analysis. Without REDIS_URL, in each worker's memory (nothing to
# run beside the app); with it, on Redis, shared by every worker of every app server, so that a
# page drawn by one is served by all. The Redis cache fails open (journal/cache.py): while Redis
# is down, pages are drawn from the database. A request waits at most CACHE_TIMEOUT_SECONDS on it.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_TIMEOUT_SECONDS = float(os.environ.get("CACHE_TIMEOUT_SECONDS", "0.5"))
DEFAULT_CACHE = (
    {
        "BACKEND": "journal.cache.FailOpenRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "oms"),
        "OPTIONS": {
            "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
            "socket_timeout": CACHE_TIMEOUT_SECONDS,
        },
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
)
CACHES = {
    "default": DEFAULT_CACHE,
    # The password-reset limits, in the database, so that every worker and server counts
    # together, and the limits hold while Redis is down (as the lockouts, kept by django-axes in
    # the database, do). Its table is made by
    # migration journal/0006_throttle_cache_table. Room for many keys: past MAX_ENTRIES, Django
    # culls live keys too, and a flood must not wipe the counts that hold it back.
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "oms_throttle",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Django's database sessions, read with SQL written once (journal/sessions.py).
SESSION_ENGINE = "journal.sessions"
# A login lasts SESSION_COOKIE_AGE seconds (two weeks) from logging in; then the session has
# expired, on the server as in the browser, and the next page asks to log in again.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(14 * 24 * 3600)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

TIME_ZONE = "UTC"
USE_TZ = True

# Languages. English is the source; the others are shipped complete (`make test` fails on any
# message left untranslated, see scripts/check_translations.py). Their catalogs are in locale/,
# compiled by `make run` and `make test`. The tests add a pseudo-language, en-xa, of their own.
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("de", "German"),
    ("it", "Italian"),
    ("pt-br", "Brazilian Portuguese"),
    ("nl", "Dutch"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: printed to the console unless an SMTP server is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "OMS Journal <noreply@localhost>")

# Reminders (journal/reminders): links in them start with SITE_URL. Web Push signs with a VAPID key
# pair (`manage.py vapid_keys` makes one) and sends only to the push services named here (each
# `https://host` or `https://*.domain`): a phone's subscription elsewhere is refused.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:admin@localhost")
PUSH_SERVICE_ORIGINS = env_list("PUSH_SERVICE_ORIGINS") or [
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://web.push.apple.com",
    "https://*.notify.windows.com",
]

# How long an invitation link to a care team stays valid.
INVITATION_MAX_AGE_DAYS = int(os.environ.get("INVITATION_MAX_AGE_DAYS", "7"))

# Security headers. Scripts and styles come only from our own static files: no inline script.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent by journal.middleware.PermissionsPolicyMiddleware: the app never needs these devices.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer asks for the health endpoint over plain HTTP on the app's own port.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# HSTS already holds subdomains to HTTPS for a year; "preload" adds consent to the browsers'
# built-in list, so that even a first visit is HTTPS. It takes effect only once someone submits
# the bare domain at hstspreload.org. Off (0) if that domain has HTTP-only subdomains; then
# `check --deploy` warns W021. See README, "Security".
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line carries the id of the request it was logged in (journal.middleware), as sent
    # back in X-Request-ID and, behind nginx, as in nginx's log.
    "filters": {"request_id": {"()": "journal.middleware.RequestIdFilter"}},
    "formatters": {
        "request_id": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "request_id",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs failed logins and lockouts as warnings; its notes on every good login
    # (several lines each) only at LOG_LEVEL=DEBUG.
    "loggers": {
        "axes": {"level": "DEBUG" if os.environ.get("LOG_LEVEL") == "DEBUG" else "WARNING"},
        # fontTools subsets the fonts of every chart in a PDF, with many lines of notes each.
        "fontTools": {"level": "WARNING"},
    },
}
