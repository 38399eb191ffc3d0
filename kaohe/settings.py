"""One settings module, read from environment variables.

A laptop needs none of them: the database is a SQLite file under var/ and a secret key is generated there
on first use. Production sets DATABASE_URL (postgres://…), SECRET_KEY and ALLOWED_HOSTS.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KAOHE_DATA_DIR", BASE_DIR.parent / "var"))

DEBUG = env_flag("DEBUG", False)


def read_or_create_secret_key() -> str:
    """A laptop gets a stable random key kept beside its database; production passes SECRET_KEY."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or read_or_create_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "kaohe.accounts",
    "kaohe.organisations",
    "kaohe.history",
    "kaohe.standard",
    "kaohe.assessments",
    "kaohe.records",
    "kaohe.figures",
    "kaohe.results",
    "kaohe.operations",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by kaohe itself (no CDN)
    "kaohe.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kaohe.middleware.ChineseUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body (CSRF reads POST), after the language is known (its page is translated).
    "kaohe.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kaohe.middleware.NulInPathMiddleware",  # after authentication: its 404 page shows who is logged in
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A password someone else chose (an import's, a manager's reset) is changed before anything else is done.
    "kaohe.accounts.middleware.PasswordChangeRequiredMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kaohe.urls"
WSGI_APPLICATION = "kaohe.wsgi.application"

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
                "kaohe.context_processors.federation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'kaohe.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Several requests write at once (imports beside page views): wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several app servers behind one proxy share nothing but the database and the file store, so no state may
# live in one process's memory: caches go to Redis when REDIS_URL is set, else to a table of the database
# (`kaohe serve` creates it at start, as `kaohe createcachetable` does). Sessions stay in the database, and
# django-axes keeps failed logins there too (its default handler), so every server sees the same ones.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kaohe_cache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
# kaohe.accounts.hashers says why Argon2id; PBKDF2 stays second so that existing hashes still verify.
PASSWORD_HASHERS = [
    "kaohe.accounts.hashers.SizedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Whom the login page tells people to ask for an account or a new password, e.g. "区总工会组织部 张老师
# 6936xxxx"; without it, the unit above theirs (kaohe/context_processors.py).
ACCOUNT_CONTACT = os.environ.get("KAOHE_ACCOUNT_CONTACT", "").strip()
# How long a dashboard's tables are kept in the cache (seconds; 0: never). A published cycle's tables are kept
# under a key that changes whenever an assessment of it is published again, so this bounds only how long the
# open cycle's counts lag behind (README, "Dashboards").
DASHBOARD_CACHE_SECONDS = int(os.environ.get("KAOHE_DASHBOARD_CACHE_SECONDS", "300"))
# A form refused for a stale security token gets kaohe's page, not Django's English one.
CSRF_FAILURE_VIEW = "kaohe.views.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Five wrong passwords for one username from one address lock that pair out for 15 minutes; twenty for one
# username from all addresses together lock the username, except at addresses it logged in from
# (kaohe/accounts/throttling.py). A login clears only its own address's failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "kaohe.accounts.throttling.LoginThrottle"
AXES_DISABLE_ACCESS_LOG = False  # the log of logins is how the username lock knows a person's addresses
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
if env_flag("BEHIND_PROXY", False):
    # Every request arrives from the proxy: the client is the address the proxy adds to X-Forwarded-For.
    AXES_CLIENT_IP_CALLABLE = "kaohe.accounts.throttling.address_behind_proxy"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Upload limits in bytes, set in MB (kaohe/limits.py says what each bounds). A request larger than
# MAX_REQUEST_SIZE is refused (413) before it is read; it defaults to just above the largest file limit.
MAX_IMPORT_FILE_SIZE = int(float(os.environ.get("MAX_IMPORT_FILE_MB", "30")) * 1024 * 1024)
MAX_DOCUMENT_FILE_SIZE = int(float(os.environ.get("MAX_DOCUMENT_FILE_MB", "20")) * 1024 * 1024)
MAX_EVIDENCE_FILE_SIZE = int(float(os.environ.get("MAX_EVIDENCE_FILE_MB", "20")) * 1024 * 1024)
MAX_STANDARD_FILE_SIZE = int(float(os.environ.get("MAX_STANDARD_FILE_MB", "5")) * 1024 * 1024)
MAX_REQUEST_SIZE = int(
    float(os.environ.get("MAX_REQUEST_MB", "0")) * 1024 * 1024
    or max(MAX_IMPORT_FILE_SIZE, MAX_DOCUMENT_FILE_SIZE, MAX_EVIDENCE_FILE_SIZE, MAX_STANDARD_FILE_SIZE) + 1024 * 1024
)

# Behind HTTPS unless told otherwise; a laptop with DEBUG on never is.
HTTPS = env_flag("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_flag("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_flag("SECURE_HSTS_PRELOAD", True)
if env_flag("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = 8 * 60 * 60

# `kaohe serve` (gunicorn); its command-line options win. 0 workers or threads: chosen from the cores.
SERVE_BIND = os.environ.get("KAOHE_BIND", "127.0.0.1:8000")
SERVE_WORKERS = int(os.environ.get("WEB_CONCURRENCY", "0"))
SERVE_THREADS = int(os.environ.get("KAOHE_THREADS", "0"))
# Long enough for the largest import or export a person waits for; a request past it is cut and logged.
SERVE_TIMEOUT = int(os.environ.get("KAOHE_TIMEOUT", "120"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}


# The API (kaohe/api): per-person keys, JSON errors in the reader's language, throttled per key.
API_REQUESTS_PER_MINUTE = int(os.environ.get("KAOHE_API_REQUESTS_PER_MINUTE", "600"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["kaohe.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["kaohe.api.throttling.PerKeyThrottle"],
    "DEFAULT_PAGINATION_CLASS": "kaohe.api.pagination.Pages",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "kaohe.api.errors.handle",
    "DEFAULT_SCHEMA_CLASS": "kaohe.api.schema.KaoheSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    "UNICODE_JSON": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "kaohe API",
    "DESCRIPTION": (
        "Everything a person does in kaohe, a program can do with that person's key: the same rights, units, "
        "rules, refusals and history. Make a key on your profile page (/accounts/profile/) and send it as "
        "`Authorization: Bearer <key>`. Errors are JSON: `detail` and `errors` (each with its `field`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields of one name that hold different choices (a unit's category and an activity's, a document's kind and
    # a piece of evidence's): each set named, rather than by a hash that drf-spectacular warns about.
    "ENUM_NAME_OVERRIDES": {
        "ActivityCategoryEnum": "kaohe.records.models.ActivityCategory",
        "DocumentKindEnum": "kaohe.records.models.DocumentKind",
        "UnitCategoryEnum": "kaohe.organisations.models.Category.values",
    },
}
