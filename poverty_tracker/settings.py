"""One settings module, read from the environment (DESIGN.md §8).

DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS and PUBLIC_NOTICE_DAYS configure the app.
With nothing set beyond DEBUG it runs on SQLite with Celery tasks run inline.
"""

from pathlib import Path

import environ

from poverty_tracker.startup import database_config_or_exit, required_or_exit

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# Production has no default secret: a missing SECRET_KEY stops start-up.
SECRET_KEY = (
    env("SECRET_KEY", default="dev-only-insecure-key") if DEBUG else required_or_exit(env, "SECRET_KEY")
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
]
# Layers (README, "How it is built"): core is the shared infrastructure; villages, accounts, households,
# assignments and projects are the domain; dashboards and demo compose them.
LOCAL_APPS = [
    "core",
    "villages",
    "accounts",
    "households",
    "assignments",
    "projects",
    "dashboards",
    "demo",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "core.middleware.RequestLogMiddleware",  # first: the request id covers everything below it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "poverty_tracker.urls"
WSGI_APPLICATION = "poverty_tracker.wsgi.application"

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
                "dashboards.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": database_config_or_exit(env, default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media-protected/"  # never served publicly: photos go through access-checked views

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "poverty_tracker API",
    "DESCRIPTION": "建档立卡贫困户精准扶贫管理 API (DESIGN.md §7)",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name (state, category, kind) get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "ProjectStateEnum": "projects.models.Project.State",
        "ProjectCategoryEnum": "projects.models.Project.Category",
        "MeasureCategoryEnum": "households.choices.MeasureCategory",
        "RelocationSiteKindEnum": "projects.models.RelocationSite.Kind",
        "RelocationKindEnum": "projects.models.Relocation.Kind",
        "TrainingKindEnum": "projects.models.Training.Kind",
        "RevisitKindEnum": "assignments.models.Revisit.Kind",
    },
}

# Celery: REDIS_URL is the broker; without it every task runs inline so the first run needs nothing.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 60
CELERY_TASK_TIME_LIMIT = 60 * 60 + 300
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING: the same JSON lines

# Domain settings
PUBLIC_NOTICE_DAYS = env.int("PUBLIC_NOTICE_DAYS", default=7)  # 公示 length in days
COUNTY_REGION_CODE = env("COUNTY_REGION_CODE", default="532328")  # 元谋县
# Dashboards: above this many households they read the summary table (VillageFigures) instead of counting.
DASHBOARD_SUMMARY_ABOVE = env.int("DASHBOARD_SUMMARY_ABOVE", default=200_000)
# The battle map's tile server (a Leaflet URL template); empty: units drawn on a plain background.
MAP_TILE_URL = env("MAP_TILE_URL", default="")

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
SIMPLE_HISTORY_REVERT_DISABLED = True

# Logs: JSON lines on stderr (request id, user id, duration; see core/logging.py); with DEBUG a plain
# line unless LOG_FORMAT=json.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="text" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # runserver's own access line would repeat the request line: keep its warnings only
        "django.server": {"level": "WARNING"},
    },
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Cadre revisits: photo size limit, and the county's bounding box (south, west, north, east) for GPS checks.
REVISIT_PHOTO_MAX_BYTES = env.int("REVISIT_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
COUNTY_BBOX = (25.4, 101.6, 26.1, 102.1)  # 元谋县
# Excel rosters: refuse before reading what no county office produces (size, rows, zip bombs).
ROSTER_MAX_BYTES = env.int("ROSTER_MAX_BYTES", default=50 * 1024 * 1024)
ROSTER_MAX_ROWS = env.int("ROSTER_MAX_ROWS", default=200_000)  # per sheet
ROSTER_MAX_UNCOMPRESSED_BYTES = env.int("ROSTER_MAX_UNCOMPRESSED_BYTES", default=1024 * 1024 * 1024)
ROSTER_MAX_COMPRESSION_RATIO = env.int("ROSTER_MAX_COMPRESSION_RATIO", default=200)
ROSTER_MAX_ERRORS = 5_000  # reported; past that the report says how many more
ROSTER_ASYNC_ROWS = 2_000  # larger imports run as a job with a progress bar
