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
    "axes",  # failed-login throttling; its attempts and lock-outs live in the database
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
    "monitoring",
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
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lock-out answer
]

ROOT_URLCONF = "poverty_tracker.urls"
WSGI_APPLICATION = "poverty_tracker.wsgi.application"

# Django's form renderer, with <select> written in Python (core/forms_renderer.py says why).
FORM_RENDERER = "core.forms_renderer.FormRenderer"

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
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the signed-in user read with their township and village (accounts/authentication.py).
    "accounts.authentication.ScopedModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=15)  # wrong passwords before a lock-out
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)  # hours an account or address stays locked
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # per account and, separately, per address
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # shared by every web process
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner: start-up errors stay one line (tests/test_startup.py)
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.views.client_ip"
# Proxies in front that append to X-Forwarded-For (the compose stack's nginx: 1). 0 = REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# API tokens stop working this many hours after they were issued; a password change deletes them.
TOKEN_TTL_HOURS = env.int("TOKEN_TTL_HOURS", default=24 * 7)
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
# Uploads (rosters, error workbooks, exports, revisit and project photos) go to one media store that every
# web process and worker shares: MEDIA_ROOT on a shared volume by default, or an S3-compatible bucket
# (a government cloud's object storage, MinIO, AWS) through django-storages when MEDIA_S3_BUCKET is set.
# Objects stay private: the access-checked views read them and stream them back, nothing links to them.
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("MEDIA_S3_REGION", default="") or None,
            # Unset: boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, an instance role ...).
            "access_key": env("MEDIA_S3_ACCESS_KEY", default="") or None,
            "secret_key": env("MEDIA_S3_SECRET_KEY", default="") or None,
            "location": env("MEDIA_S3_PREFIX", default=""),
            "default_acl": "private",
            "file_overwrite": False,  # two uploads of 花名册.xlsx keep both
            "querystring_auth": True,
            "addressing_style": env("MEDIA_S3_ADDRESSING_STYLE", default="") or None,  # "path" for MinIO
        },
    }
MEDIA_URL = "/media-protected/"  # never served publicly: photos go through access-checked views

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="2000/hour"),
    },
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
        "MonitoringStateEnum": "monitoring.choices.State",
        "MonitoringKindEnum": "monitoring.choices.Kind",
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
# A job running in a worker writes a heartbeat this often; the sweeper (every two minutes) fails a running
# job whose heartbeat is five of these old: its worker died and did not come back (core.jobs).
JOB_HEARTBEAT_SECONDS = env.int("JOB_HEARTBEAT_SECONDS", default=30)
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING: the same JSON lines

# The cache (DRF's throttle counters, the dashboards' sections) is shared by every process: Redis when there
# is one (CACHE_URL, by default REDIS_URL; its own key prefix, so it never touches Celery's queues), else
# each process's memory (SQLite / make run). A Redis that does not answer is a miss, never an error
# (core/cache.py). Sessions, job progress and lock-outs live in the database.
CACHE_URL = env("CACHE_URL", default=REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "core.cache.TolerantRedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "pt-cache",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Domain settings
PUBLIC_NOTICE_DAYS = env.int("PUBLIC_NOTICE_DAYS", default=7)  # 公示 length in days
# 风险消除 waits this many months of stable income when no monitoring line sets its own.
MONITORING_STABLE_MONTHS = env.int("MONITORING_STABLE_MONTHS", default=6)
COUNTY_REGION_CODE = env("COUNTY_REGION_CODE", default="532328")  # 元谋县
# Dashboards: above this many households they read the summary table (VillageFigures) instead of counting.
DASHBOARD_SUMMARY_ABOVE = env.int("DASHBOARD_SUMMARY_ABOVE", default=200_000)
# Below that size a dashboard is counted live (about 40 queries, 300 ms for the demo county) and then kept
# in the cache for this many seconds for the same user and unit; the page says when it was counted.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)
# Parallel workers beside the leader for the registry-wide eligibility recompute on PostgreSQL. Each one
# builds its own hash of the member counts, so one worker per core beyond the leader's is the most that
# helps: 1 on a 2-core database server.
ELIGIBILITY_PARALLEL_WORKERS = env.int("ELIGIBILITY_PARALLEL_WORKERS", default=1)
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

# TLS (terminated by nginx, which sets X-Forwarded-Proto): all on in production, each one an environment
# setting so an intranet without HTTPS can say so explicitly.
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("SECURE_PROXY_SSL_HEADER", default=not DEBUG) else None
)
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]  # the container health check speaks plain HTTP inside the stack
X_FRAME_OPTIONS = "DENY"

# Cadre revisits: photo size limit, and the county's bounding box (south, west, north, east) for GPS checks.
REVISIT_PHOTO_MAX_BYTES = env.int("REVISIT_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
COUNTY_BBOX = (25.4, 101.6, 26.1, 102.1)  # 元谋县
# Excel rosters: refuse before reading what no county office produces (size, rows, zip bombs).
ROSTER_MAX_BYTES = env.int("ROSTER_MAX_BYTES", default=50 * 1024 * 1024)
ROSTER_MAX_ROWS = env.int("ROSTER_MAX_ROWS", default=200_000)  # per sheet
ROSTER_MAX_UNCOMPRESSED_BYTES = env.int("ROSTER_MAX_UNCOMPRESSED_BYTES", default=1024 * 1024 * 1024)
ROSTER_MAX_COMPRESSION_RATIO = env.int("ROSTER_MAX_COMPRESSION_RATIO", default=200)
ROSTER_MAX_ERRORS = 5_000  # reported; past that the report says how many more
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)  # export files are deleted after this
ROSTER_ASYNC_ROWS = 2_000  # larger imports run as a job with a progress bar
