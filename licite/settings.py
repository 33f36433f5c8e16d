"""Django settings for licite, read from LICITE_* environment variables (see .env.example)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from licite.conf import Env, SettingsError, parse_database_url, parse_imap_url

env = Env()
BASE_DIR = Path(__file__).resolve().parent
LICITE_HOME = env.path("LICITE_HOME", "./var")

SECRET_KEY = env.secret("LICITE_SECRET_KEY", LICITE_HOME, "secret_key")
# RULES F4: the key of the suppression list's HMAC lives outside the database.
SUPPRESSION_KEY = env.secret("LICITE_SUPPRESSION_KEY", LICITE_HOME, "suppression_key").encode()
# RULES H: the audit chain's HMAC key, and the file holding its head (last sequence and hash),
# both outside the database: whoever can write the database can neither rebuild the chain nor
# cut its tail unseen (docs/audit.md).
AUDIT_KEY = env.secret("LICITE_AUDIT_KEY", LICITE_HOME, "audit_key").encode()
AUDIT_HEAD_FILE = env.path("LICITE_AUDIT_HEAD", str(LICITE_HOME / "audit_head"))

DEBUG = env.flag("LICITE_DEBUG", False)
ALLOWED_HOSTS = env.items("LICITE_ALLOWED_HOSTS", ("127.0.0.1", "localhost"))
CSRF_TRUSTED_ORIGINS = env.items("LICITE_CSRF_TRUSTED_ORIGINS", ())
# Empty means the default, for local work only: `licite check` refuses it with a real backend.
LICITE_BASE_URL = (env.text("LICITE_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
LICITE_HTTPS = env.flag("LICITE_HTTPS", False)
if LICITE_HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.flag("LICITE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
# Secure and HttpOnly cookies whenever the app is reached over HTTPS (docs/security.md).
if LICITE_HTTPS or LICITE_BASE_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True  # forms carry the token: no script reads it
# A session ends after this many minutes without a request; a request restarts the count
# (licite.web.security.IdleSessionMiddleware: at most one session write a minute, not one a request).
SESSION_COOKIE_AGE = 60 * env.integer("LICITE_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): only the server's own scripts, styles and images, never
# inline code; no page may be framed.
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
# Login lockout (django-axes): this many failures for one username from one address lock that
# pair out for the cool-off; the lockout page says so in the person's language.
AXES_FAILURE_LIMIT = env.integer("LICITE_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(
    minutes=env.integer("LICITE_LOGIN_COOLOFF_MINUTES", 15, minimum=1, maximum=24 * 60)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "licite.web.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_USE_ATTEMPT_EXPIRATION = True
# Behind a reverse proxy, the client's address is the one this many proxies from the right of
# X-Forwarded-For; 0 (the default) reads the connection's address, which no client can forge.
LICITE_PROXY_COUNT = env.integer("LICITE_PROXY_COUNT", 0, minimum=0, maximum=10)
AXES_CLIENT_IP_CALLABLE = "licite.web.security.client_ip"
# Personal data never goes into logs or into a second store: the audit trail records each login.
AXES_CLIENT_STR_CALLABLE = "licite.web.security.client_str"
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False  # `licite axes_reset_username NAME` lifts a lockout (docs/security.md)
# TOTP (django-otp) after the password, required for the roles admin and dpo; false only for a
# demonstration on one's own machine (docs/security.md).
LICITE_REQUIRE_2FA = env.flag("LICITE_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "licite"

DATABASES = {
    "default": parse_database_url(
        env.text("LICITE_DATABASE_URL"),
        variable="LICITE_DATABASE_URL",
        default_sqlite=LICITE_HOME / "licite.sqlite3",
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "licite.accounts",
    "licite.prospects",
    "licite.campaigns",
    "licite.rights",
    "licite.register",
    "licite.processors",
    "licite.audit",
    "licite.compliance",
    "licite.training",
    "licite.web",
    "licite.api",
    "ninja",  # the API's interactive documentation from the app's own static files
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "licite.web.security.IdleSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "licite.web.security.OTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "licite.audit.middleware.AuditOriginMiddleware",
    "licite.api.middleware.ApiCallAuditMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "licite.urls"
WSGI_APPLICATION = "licite.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username and address
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "licite.web.access.permissions",  # perms_licite: what the user may do (RULES F5)
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.choice("LICITE_LANGUAGE", "fr", ("fr", "en"))
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.text("LICITE_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = LICITE_HOME / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# SMTP by default; any provider through django-anymail, e.g. anymail.backends.postmark.EmailBackend
# (its API key in LICITE_ANYMAIL_API_KEY), whose tracking webhooks feed bounces and complaints back.
EMAIL_BACKEND = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}.get(env.text("LICITE_EMAIL_BACKEND", "smtp"), env.text("LICITE_EMAIL_BACKEND"))
if not EMAIL_BACKEND.startswith(("django.core.mail.backends.", "anymail.backends.")):
    raise SettingsError("LICITE_EMAIL_BACKEND", "expected smtp, console or an anymail.backends.* path")
ANYMAIL = {
    # The provider's webhook posts are checked with HTTP basic auth "user:password".
    "WEBHOOK_SECRET": env.text("LICITE_ANYMAIL_WEBHOOK_SECRET") or None,
    "POSTMARK_SERVER_TOKEN": env.text("LICITE_ANYMAIL_API_KEY"),
    "SENDGRID_API_KEY": env.text("LICITE_ANYMAIL_API_KEY"),
    "BREVO_API_KEY": env.text("LICITE_ANYMAIL_API_KEY"),
    "MAILGUN_API_KEY": env.text("LICITE_ANYMAIL_API_KEY"),
}
EMAIL_HOST = env.text("LICITE_EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("LICITE_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.text("LICITE_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.text("LICITE_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.flag("LICITE_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.flag("LICITE_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.integer("LICITE_EMAIL_TIMEOUT", 30, minimum=1, maximum=600)
DEFAULT_FROM_EMAIL = env.text("LICITE_DEFAULT_FROM_EMAIL", "licite@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The mailbox whose "unsubscribe+TOKEN@" addresses go in List-Unsubscribe (RFC 8058 allows a mailto).
LICITE_UNSUBSCRIBE_MAILTO = env.text("LICITE_UNSUBSCRIBE_MAILTO", DEFAULT_FROM_EMAIL)
# The mailbox `licite inbox` reads (objections through the mailto, replies): imaps://user:password@host/INBOX.
LICITE_IMAP_URL = env.text("LICITE_IMAP_URL")
parse_imap_url(LICITE_IMAP_URL)  # a bad URL stops licite at once, naming the variable
# How often `licite worker` reads that mailbox (when LICITE_IMAP_URL is set); cron, like the purge's.
LICITE_INBOX_SCHEDULE = env.cron("LICITE_INBOX_SCHEDULE", "*/5 * * * *")
# Messages per minute to one recipient domain: large providers throttle bursts.
# Calls per API token (licite.api): beyond, 429 with Retry-After.
LICITE_API_RATE = env.rate("LICITE_API_RATE", "600/m")
LICITE_RATE_PER_DOMAIN = env.integer("LICITE_RATE_PER_DOMAIN", 60, minimum=1, maximum=100_000)
# RULES C2: a consumer who does not answer a consent request within this delay is erased.
LICITE_CONSENT_DELAY_DAYS = env.integer("LICITE_CONSENT_DELAY_DAYS", 30, minimum=1, maximum=365)
# The purge (licite.rights.purge), daily in `licite worker`; `licite purge` runs it by hand.
LICITE_PURGE_SCHEDULE = env.cron("LICITE_PURGE_SCHEDULE", "0 3 * * *")
# RULES D2: days after its deadline before a prospect whose notice was never sent is erased.
LICITE_NOTICE_GRACE_DAYS = env.integer("LICITE_NOTICE_GRACE_DAYS", 0, minimum=0, maximum=365)
# RULES F4: years a suppression entry is kept after the latest objection; empty keeps it for good.
LICITE_SUPPRESSION_KEEP_YEARS = env.optional_integer(
    "LICITE_SUPPRESSION_KEEP_YEARS", minimum=3, maximum=100, below="the CNIL's minimum is 3 years (RULES F4)"
)
# RULES F1: days before the end of retention when one message asks whether to stay; empty: off.
LICITE_LAST_CHANCE_DAYS = env.optional_integer("LICITE_LAST_CHANCE_DAYS", minimum=1, maximum=365)
# RULES H2, H3: the staff quiz (`licite quiz`): the organisation's own questions, asked after
# licite's (a TOML file like licite/training/questions.toml), and the pass mark in percent.
LICITE_QUIZ_FILE = env.optional_file("LICITE_QUIZ_FILE")
LICITE_QUIZ_PASS_MARK = env.integer("LICITE_QUIZ_PASS_MARK", 80, minimum=1, maximum=100)

# Background work: Django's task API; `licite worker` runs the tasks (docs/operations.md,
# "Workers and the task queue"). "database" (the default: nothing to install) or "redis"
# (django-tasks' RQ backend at LICITE_REDIS_URL); a backend's dotted path is still accepted.
TASK_BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "redis": "django_tasks_rq.RQBackend"}
_tasks_backend = env.text("LICITE_TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS.get(_tasks_backend.lower(), _tasks_backend),
        "QUEUES": ["default", "email"],
    }
}
# redis://host:6379/0, rediss://... (TLS) or unix:///path/redis.sock?db=0.
LICITE_REDIS_URL = env.text("LICITE_REDIS_URL")
if TASKS["default"]["BACKEND"] == TASK_BACKENDS["redis"]:
    if not LICITE_REDIS_URL:
        raise SettingsError("LICITE_TASKS_BACKEND", "redis needs LICITE_REDIS_URL (redis://host:6379/0)")
    INSTALLED_APPS.append("django_rq")
    # A batch of the outbox may wait on slow mail servers: rq's default of 3 minutes would kill it.
    RQ_QUEUES = {
        name: {"URL": LICITE_REDIS_URL, "DEFAULT_TIMEOUT": 3600} for name in TASKS["default"]["QUEUES"]
    }
if LICITE_REDIS_URL:
    if not LICITE_REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(
            "LICITE_REDIS_URL", f"expected redis://, rediss:// or unix://, got {LICITE_REDIS_URL!r}"
        )
    # One cache for every process: the API's rate per token then holds across workers and machines.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": LICITE_REDIS_URL}
    }
# A message claimed by a worker and still "sending" this long after was left by a worker that
# stopped: the workers then settle it by the rule of licite.campaigns.workers (never sent twice).
LICITE_CLAIM_TIMEOUT_SECONDS = env.integer("LICITE_CLAIM_TIMEOUT_SECONDS", 900, minimum=5, maximum=7 * 86_400)
# Seconds between two heartbeats of `licite worker`; six missed, the worker is taken as gone.
LICITE_WORKER_BEAT_SECONDS = env.integer("LICITE_WORKER_BEAT_SECONDS", 5, minimum=1, maximum=60)

# RULES: personal data never goes into logs; the app logs ids only, at the level set here.
LOG_LEVEL = env.choice("LICITE_LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # The tokens of public links are credentials: masked in every line (Django's own warnings
    # quote the path). Every handler carries this filter; a test walks them all.
    "filters": {"mask_tokens": {"()": "licite.lib.logmask.MaskTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_tokens"]}
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        **{
            name: {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
            for name in ("licite", "django_tasks", "django_tasks_db")
        },
        # Replaces Django's default handlers (console when DEBUG, mail_admins, runserver's), which
        # would print the same records unmasked.
        **{
            name: {"handlers": ["console"], "level": "INFO", "propagate": False}
            for name in ("django", "django.server")
        },
    },
}
