"""Django settings for the riskroute case service, read from the environment.

Environment variables (see docs/case-service.md):
- `DATABASE_URL`: `sqlite:///ABSOLUTE/PATH` or `postgresql://...`; default a SQLite file in the data dir.
- `RISKROUTE_DATA_DIR`: where the default database and the generated secret key live (default `./var`).
- `RISKROUTE_DEMO=1`: demo mode (demo logins printed and allowed).
- `DJANGO_SECRET_KEY`: the signing key; without it one is generated once and stored in the data dir,
  so there is never a secret in the source code.
- `DJANGO_DEBUG=1`: debug pages (never in production; off by default).
- `DJANGO_ALLOWED_HOSTS`: comma-separated host names (default localhost names only).
- `DJANGO_CSRF_TRUSTED_ORIGINS`, `RISKROUTE_BEHIND_HTTPS_PROXY=1`: for serving behind an HTTPS proxy
  (the latter also turns on HSTS).
- `RISKROUTE_SESSION_IDLE_MINUTES` (default 30), `RISKROUTE_SESSION_MAX_HOURS` (default 10): session expiry.
- `RISKROUTE_REQUIRE_MFA=0`: switch TOTP off outside demo mode (never in production; default on).

Importing this module writes nothing: the data directory, the generated key, the SQLite file and
the static directory are made by `riskroute.web.startup.prepare()`, which every entry point calls
before Django starts (see that module).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url

from riskroute.web import startup

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = startup.data_dir()
DEMO_MODE = os.environ.get("RISKROUTE_DEMO", "") == "1"
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"


#: Executions of one statement on a PostgreSQL connection before psycopg prepares it.
PREPARE_THRESHOLD = 2


def _database() -> dict[str, object]:
    url = startup.database_url()
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    if config["ENGINE"] == startup.SQLITE_ENGINE:
        # The file itself is created, private (0600), by `startup.prepare()`.
        # WAL and a busy timeout let the web server and a CLI command share the file safely.
        # secure_delete zeroes the bytes of deleted or overwritten rows, so an erased value does
        # not linger in free space of the file (erasure also checkpoints the WAL: cases.services).
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;",
        }
        config["CONN_MAX_AGE"] = 0
    else:
        # PostgreSQL plans a statement every time it is sent, unless it is prepared; Django turns
        # psycopg's prepared statements off by default (for transaction-pooling proxies, which
        # riskroute does not use: docs/case-service.md, Running on PostgreSQL). The case read
        # joins thirteen tables and took 1.8-3.3 ms to plan, against 0.3 ms to run. Statements need
        # server-side binding to be prepared; psycopg prepares one once a connection has sent it
        # `PREPARE_THRESHOLD` times (so on the third) and keeps the last 100 (`prepared_max`).
        config["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": PREPARE_THRESHOLD}
    return config


SECRET_KEY = startup.secret_key()

# Keys held outside the database (docs/security.md): the field-encryption key ring and the Ed25519
# key that signs audit checkpoints. Each path can be set on its own, e.g. to a separate volume.
KEYS_DIR = Path(os.environ.get("RISKROUTE_KEYS_DIR", DATA_DIR / "keys")).resolve()
FIELD_KEYRING_FILE = Path(os.environ.get("RISKROUTE_FIELD_KEYRING", KEYS_DIR / "field-keys.json"))
AUDIT_SIGNING_KEY_FILE = Path(os.environ.get("RISKROUTE_AUDIT_SIGNING_KEY", KEYS_DIR / "audit-signing.pem"))
AUDIT_VERIFY_KEY_FILE = Path(os.environ.get("RISKROUTE_AUDIT_VERIFY_KEY", KEYS_DIR / "audit-verify.pem"))
#: The last checkpoint `audit verify --since-checkpoint` verified, kept beside the keys, outside
#: the database (docs/security.md).
AUDIT_VERIFIED_STATE_FILE = Path(
    os.environ.get("RISKROUTE_AUDIT_VERIFIED_STATE", KEYS_DIR / "audit-verified.json")
)
#: A signed checkpoint after every this many audit entries (0: only on demand).
AUDIT_CHECKPOINT_EVERY = int(os.environ.get("RISKROUTE_AUDIT_CHECKPOINT_EVERY", "1000"))

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
# Behind an HTTPS reverse proxy: the origins forms are posted from, and the header it sets.
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
BEHIND_HTTPS_PROXY = os.environ.get("RISKROUTE_BEHIND_HTTPS_PROXY", "") == "1"
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Browsers honour HSTS only over HTTPS, so it is sent only when the proxy says so.
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "riskroute.accounts",
    "riskroute.cases",
    "riskroute.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "riskroute.web.hardening.PermissionsPolicyMiddleware",
    "riskroute.web.hardening.DatabaseUnavailableMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "riskroute.accounts.session.AbsoluteSessionExpiryMiddleware",
    "riskroute.accounts.session.SessionRenewalMiddleware",
    "riskroute.accounts.mfa.MfaRequiredMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]


ROOT_URLCONF = "riskroute.web.urls"
WSGI_APPLICATION = "riskroute.web.wsgi.application"

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
                "riskroute.web.context.service_flags",
            ],
        },
    }
]

DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user name is refused before any password is checked.
    "riskroute.accounts.backends.LockoutBackend",
    "riskroute.accounts.backends.DemoAwareModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Idle expiry: a session lives SESSION_COOKIE_AGE from its last save. It is saved only when it
# changes; SessionRenewalMiddleware changes it at most every SESSION_RENEW_SECONDS while it is used.
# Absolute expiry: AbsoluteSessionExpiryMiddleware ends a session SESSION_MAX_AGE after sign-in.
SESSION_COOKIE_AGE = 60 * int(os.environ.get("RISKROUTE_SESSION_IDLE_MINUTES", "30"))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_MAX_AGE = 3600 * int(os.environ.get("RISKROUTE_SESSION_MAX_HOURS", "10"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Secure cookies by default; demo mode serves plain HTTP on loopback, so it cannot use them.
SESSION_COOKIE_SECURE = os.environ.get("RISKROUTE_SECURE_COOKIES", "0" if DEMO_MODE or DEBUG else "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Features no page uses, refused to every origin (riskroute.web.hardening sends the header).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# Content Security Policy (django-csp 4): no inline script or style anywhere, no third-party origin.
# The templates were written for this: scripts and styles are static files, htmx may not eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# TOTP second factor (django-otp) for every user outside demo mode (riskroute.accounts.mfa).
MFA_REQUIRED = os.environ.get("RISKROUTE_REQUIRE_MFA", "1") == "1"
OTP_TOTP_ISSUER = "riskroute"

# Lockout after repeated failed sign-ins (django-axes): 5 failures for one user name from one
# address lock that pair for 15 minutes; a success resets the count. 10 failures from one address
# across user names lock the address (ADDRESS_FAILURE_LIMIT below).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
#: Failed sign-ins from one client address, across all user names, that refuse further attempts
#: from it for AXES_COOLOFF_TIME (riskroute.accounts.backends.LockoutBackend). Twice the per-name
#: limit, so two colleagues behind one proxy mistyping are not locked out together.
ADDRESS_FAILURE_LIMIT = int(os.environ.get("RISKROUTE_ADDRESS_FAILURE_LIMIT", "10"))
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = startup.static_root()  # `collectstatic` target, made by `startup.prepare()`
# Compiled front-end assets (GOV.UK Frontend, htmx) are built from npm into this directory
# (`make assets`); without it there are no assets to serve, and no directory to name.
FRONTEND_ASSETS_DIR = PACKAGE_DIR / "static"
STATICFILES_DIRS = [FRONTEND_ASSETS_DIR] if FRONTEND_ASSETS_DIR.is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the finders so `serve` works without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
