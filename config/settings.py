"""DWC Shop settings: one module, every value from the environment, a working laptop default for each.

Production is `DEBUG=false` behind a TLS-terminating proxy; it refuses to start without a real `SECRET_KEY`.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# With DEBUG, Django's debug 404 page (the URL patterns tried) instead of the shop's own.
DEBUG_TECHNICAL_404 = env.bool("DEBUG_TECHNICAL_404", default=False)

_DEV_SECRET_KEY = "dev-insecure-dwc-shop-key-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (production).")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # First: its ready() adds the audit trail's history models before the admin's modules build any query.
    "config",
    "accounts.apps.ShopAdminConfig",  # Django's admin, on a site that keeps locked accounts out
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",  # trigram search indexes (catalog); inert on SQLite
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    # Hardening: the admin's login lockout, the audit trail, metrics, request ids, the content security policy.
    "axes",
    "simple_history",
    "django_prometheus",
    "django_guid",
    "csp",
    "accounts",
    "catalog",
    "preorders",
    "promos",
    "drops",
    "orders",
    "pages",
    "analytics",
    "delivery",
    "fulfilment",
    "shop",
    "seo",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "config.middleware.request_id_checked",
    "django_guid.middleware.guid_middleware",
    # Whole catalog responses for visitors without a session, before everything below (config/front_cache.py).
    "config.front_cache.FrontCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.refuse_unreadable_paths",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Faults: a database that does not answer is a fast 503 (JSON for the API), not a 500.
    "config.db_outage.DatabaseOutageMiddleware",
    # The shop's own 404 page (JSON under /api/) under `make run` (DEBUG) too.
    "config.middleware.FriendlyNotFoundMiddleware",
    "config.middleware.private_responses_not_stored",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out admin login into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.context_processors.storefront",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with a LIKE that ignores the case of Cyrillic letters too (see config/sqlite).
    DATABASES["default"]["ENGINE"] = "config.sqlite"
    # IMMEDIATE takes the write lock at BEGIN, so the row-locking services stay correct on SQLite,
    # which has no SELECT ... FOR UPDATE; the timeout lets concurrent writers queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 30})
else:
    if env.bool("DATABASE_POOL", default=False):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = True
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------------------
# The default cache holds what every worker must see alike (login and rate-limit counts): Redis when
# `REDIS_URL` is set, else a table in the database (created by the `config` migration), never one process's memory.
# Redis is a speed-up, never a single point of failure (`config/cache_backend.py`): every call has a short timeout
# and, while Redis is away, goes to the database's cache table instead.
REDIS_URL = env("REDIS_URL", default="")
DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "dwc_cache"}
if REDIS_URL:
    CACHE_TIMEOUT = env.float("CACHE_TIMEOUT", default=0.3)  # seconds, to connect and for each answer
    CACHES = {
        "default": {
            "BACKEND": "config.cache_backend.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT,
                "socket_timeout": CACHE_TIMEOUT,
                "FALLBACK": "fallback",
                "RETRY_AFTER": env.float("CACHE_RETRY_AFTER", default=5),
            },
        },
        # Counts and bodies of a whole outage: room for more than the table's default 300 entries.
        "fallback": {
            **DATABASE_CACHE,
            "OPTIONS": {"MAX_ENTRIES": env.int("CACHE_FALLBACK_ENTRIES", default=5000)},
        },
    }
else:
    CACHES = {"default": dict(DATABASE_CACHE)}
# Instances of one shop share a prefix; another shop (or a benchmark run) on the same Redis takes its own.
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="")
if "fallback" in CACHES:
    CACHES["fallback"]["KEY_PREFIX"] = CACHES["default"]["KEY_PREFIX"]
# --- Catalog read cache (see config/cache_versions.py) ---
# Rendered catalog bodies in each process, validated on every read by version tokens in the `default` cache.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "catalog-bodies",
    "OPTIONS": {"MAX_ENTRIES": env.int("CATALOG_CACHE_ENTRIES", default=300)},
}
# Versions must be seen by every process that serves the shop, and the `default` cache above is always shared
# (Redis or the database), so the cache is on unless turned off.
CATALOG_CACHE = env.bool("CATALOG_CACHE", default=True)
# With Redis, versions are pushed to every process (pub/sub), which then reads them from memory: a bump shows in
# other processes at most this many seconds after its writer's commit (config/version_feed.py).
CATALOG_VERSIONS_PUSHED = env.bool("CATALOG_VERSIONS_PUSHED", default=True)
CATALOG_VERSIONS_STALENESS = env.float("CATALOG_VERSIONS_STALENESS", default=1.0)

# --- Auth ---------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 6}},
]
# One lockout per account for wrong passwords typed anywhere (the admin, the storefront, the API): django-axes,
# its username the phone in E.164 (`accounts.lockout`). Failures from one address across phones are braked apart
# (`accounts.throttles`). Both use the one client-address rule of `config.client_ip`.
AUTHENTICATION_BACKENDS = [
    "accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)  # wrong passwords per account ...
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)  # ... lock it this long after the last
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)  # any phones, from one address
REGISTER_RATE = env("REGISTER_RATE", default="10/hour")  # registrations per address network, storefront and API
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False  # no banner per process at start
AXES_ONLY_ADMIN_SITE = False
AXES_FAILURE_LIMIT = "accounts.lockout.lockout_failure_limit"
AXES_COOLOFF_TIME = "accounts.lockout.lockout_cool_off"
AXES_LOCKOUT_PARAMETERS = ["username"]  # the account: an address is never the identity
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_WHITELIST_CALLABLE = "accounts.lockout.lockout_off"  # THROTTLE_ENABLED=false: nothing counted (load tests)
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/account/"
LOGOUT_REDIRECT_URL = "/"
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="RU")

# --- Locale -------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
# The shop's own translations (Russian plurals).
LOCALE_PATHS = [BASE_DIR / "locale"]
MESSAGE_STORAGE = "config.messages.OneOutcomeStorage"  # the back office: one message per outcome
FORMAT_MODULE_PATH = ["config.formats"]  # «4 декабря» where Django says «4 Декабрь»
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)

# --- Media storage: S3-compatible object storage when a bucket is set, the local disk otherwise ----------------
# Every machine reads and writes the same bucket; a public-read bucket (or a CDN in front of it) serves the files,
# so URLs are unsigned and stable and browsers cache them for a year (every stored name is new, never rewritten).
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "access_key": env("MEDIA_S3_ACCESS_KEY", default="") or None,
            "secret_key": env("MEDIA_S3_SECRET_KEY", default="") or None,
            "region_name": env("MEDIA_S3_REGION", default="") or None,
            "custom_domain": env("MEDIA_S3_CUSTOM_DOMAIN", default="") or None,
            "querystring_auth": env.bool("MEDIA_S3_QUERYSTRING_AUTH", default=False),
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            # MinIO and most S3-compatible servers want bucket/key paths rather than bucket.host names.
            "addressing_style": env("MEDIA_S3_ADDRESSING_STYLE", default="path"),
        },
    }
# Media files are served by Django only from a laptop's disk (DEBUG); in production S3 storage or a web server does it.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG and not MEDIA_S3_BUCKET)
# Uploads: a product photo is refused above these bounds; renditions are made at these widths.
MEDIA_MAX_UPLOAD_BYTES = env.int("MEDIA_MAX_UPLOAD_BYTES", default=8 * 1024 * 1024)
# 25 megapixels (a 6000 x 4000 camera photo and some room): the work on one photo then stays near 100 MB per
# decoded copy (4 bytes a pixel). Pillow refuses to open anything above it anywhere (`Image.MAX_IMAGE_PIXELS`).
MEDIA_MAX_PIXELS = env.int("MEDIA_MAX_PIXELS", default=25_000_000)
MEDIA_RENDITION_WIDTHS = [int(w) for w in env.list("MEDIA_RENDITION_WIDTHS", default=["400", "800", "1600"])]
# Width in pixels of the camera-sized photos `seed_demo` makes (about 3-4 MB each at 3200 x 4000).
DEMO_PHOTO_WIDTH = env.int("DEMO_PHOTO_WIDTH", default=3200)

# --- Security (production sits behind a TLS-terminating proxy) ----------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers and the metrics scraper reach these over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading HSTS is near impossible to undo (browsers ship the list): an explicit opt-in of the domain's owner.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# axes locks accounts only, by design: a mobile carrier puts thousands of customers behind one address, so
# failures per address are a separate, higher brake (`accounts.throttles.login_address_locked`).
SILENCED_SYSTEM_CHECKS += ["axes.W006"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
# Content-Security-Policy (django-csp): our own scripts and styles only, no inline code anywhere (Swagger UI is
# served with its script in a file). Images also come from the media bucket's host and from `CSP_IMG_SOURCES`.
_CSP_MEDIA_ORIGINS = []
if MEDIA_S3_BUCKET:
    _media_domain = env("MEDIA_S3_CUSTOM_DOMAIN", default="")
    _CSP_MEDIA_ORIGINS = [
        f"https://{_media_domain}"
        if _media_domain
        else env("MEDIA_S3_ENDPOINT_URL", default="") or "https://*.amazonaws.com"
    ]
# The checkout's map of pickup points loads Yandex Maps' script and tiles, only when a key is configured.
YANDEX_MAPS_API_KEY = env("YANDEX_MAPS_API_KEY", default="")
_CSP_MAP_ORIGINS = (
    ["https://api-maps.yandex.ru", "https://*.yandex.ru", "https://*.yandex.net"] if YANDEX_MAPS_API_KEY else []
)
# CMS pages the forms link: the policy a consent to the processing of personal data accepts, the public offer.
PRIVACY_POLICY_SLUG = "privacy"
PUBLIC_OFFER_SLUG = "offer"
# Yandex Metrica (a file of ours loads its tag): its hosts are allowed only when a counter is configured.
YANDEX_METRICA_ID = env("YANDEX_METRICA_ID", default="")
_CSP_METRICA_ORIGINS = ["https://mc.yandex.ru", "https://mc.yandex.com"] if YANDEX_METRICA_ID else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [
            "'self'",
            *_CSP_MAP_ORIGINS,
            *_CSP_METRICA_ORIGINS,
            *(["https://yastatic.net"] if YANDEX_METRICA_ID else []),
        ],
        "style-src": ["'self'"],
        "img-src": [
            "'self'",
            "data:",
            *_CSP_MEDIA_ORIGINS,
            *_CSP_MAP_ORIGINS,
            *_CSP_METRICA_ORIGINS,
            *env.list("CSP_IMG_SOURCES", default=[]),
        ],
        "font-src": ["'self'"],
        "connect-src": ["'self'", *_CSP_MAP_ORIGINS, *_CSP_METRICA_ORIGINS],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Metrica's session replay draws in a frame of its own host.
        **({"frame-src": ["blob:", *_CSP_METRICA_ORIGINS]} if YANDEX_METRICA_ID else {}),
    }
}

# --- API ----------------------------------------------------------------------------------------------------
THROTTLE_ENABLED = env.bool("THROTTLE_ENABLED", default=True)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "config.authentication.SessionAuthentication",
    ],
    # A new endpoint is private unless it says it is public (AllowAny) or staff-only.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {
        "auth_ip": env("THROTTLE_AUTH_IP", default="10/min"),
        "auth_phone": env("THROTTLE_AUTH_PHONE", default="10/min"),
        "waitlist_ip": env("THROTTLE_WAITLIST_IP", default="20/hour"),
        # Pickup points and delivery quotes by city, per client address (a new city name may cost a CDEK call).
        "delivery_ip": env("THROTTLE_DELIVERY_IP", default="30/min"),
    },
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(hours=24),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=30),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "USER_ID_FIELD": "id",
    "UPDATE_LAST_LOGIN": True,
    # Every token names a fingerprint of the password it was issued under, checked on each request: a new
    # password (reset by SMS, set by staff, changed anywhere) ends every earlier access and refresh token at once.
    "CHECK_REVOKE_TOKEN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DWC Shop API",
    "DESCRIPTION": "API магазина DWC Shop: каталог, предзаказы волнами, промокоды, заказы и оплата через ЮKassa.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "PaymentStatusEnum": "orders.models.PaymentStatus",
        "WaveStatusEnum": "preorders.models.WaveStatus",
        "DeliveryMethodEnum": "delivery.models.DeliveryMethod",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema_add_common_errors",
        # A summary and an example on every operation.
        "config.api_docs.schema_add_summaries_and_examples",
    ],
}
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:3000", "http://localhost:8000"])
CORS_URLS_REGEX = r"^/api/.*$"

# --- Orders, payments, SMS ----------------------------------------------------------------------------------
ORDER_PAYMENT_TIMEOUT = env.int("ORDER_PAYMENT_TIMEOUT", default=30)  # minutes
ORDER_MAX_LINE_QUANTITY = env.int("ORDER_MAX_LINE_QUANTITY", default=100)
ORDER_MAX_LINES = env.int("ORDER_MAX_LINES", default=50)
# --- Drops: the waiting room (DESIGN.md, «The waiting room») ---
QUEUE_OPENS_BEFORE = env.int("QUEUE_OPENS_BEFORE", default=15)  # minutes before a drop's start
QUEUE_ADMISSION_MINUTES = env.int(
    "QUEUE_ADMISSION_MINUTES", default=10
)  # an admission lets one order for this long
YOOKASSA_SHOP_ID = env("YOOKASSA_SHOP_ID", default="demo-shop")
YOOKASSA_SECRET_KEY = env("YOOKASSA_SECRET_KEY", default="demo-secret")
YOOKASSA_API_URL = env("YOOKASSA_API_URL", default="https://api.yookassa.ru/v3")
YOOKASSA_DEMO_CREDENTIALS = YOOKASSA_SHOP_ID in ("", "demo-shop") or YOOKASSA_SECRET_KEY in ("", "demo-secret")
if not DEBUG and YOOKASSA_DEMO_CREDENTIALS and YOOKASSA_API_URL.startswith("https://api.yookassa.ru"):
    raise ImproperlyConfigured(
        "YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY are the demo values while YOOKASSA_API_URL is the real API: "
        "set the shop's credentials (or point YOOKASSA_API_URL at a fake for tests)."
    )
YOOKASSA_TRUSTED_NETWORKS = env.list("YOOKASSA_TRUSTED_NETWORKS", default=[])
# --- 54-FZ receipts (checkout, refunds, settlement receipts) ---------------------------------------------------
# VAT code of receipt lines: 11 is VAT 22 % (from 1 January 2026); 1 is "no VAT" (the simplified tax system).
YOOKASSA_VAT_CODE = env.int("YOOKASSA_VAT_CODE", default=11)
# Tax system of the shop (1 general, 2 simplified on income, 3 on income minus expenses…); 0 leaves it out.
YOOKASSA_TAX_SYSTEM_CODE = env.int("YOOKASSA_TAX_SYSTEM_CODE", default=1)
SETTLEMENT_MAX_ATTEMPTS = env.int("SETTLEMENT_MAX_ATTEMPTS", default=8)
# --- YooKassa faults: short timeouts and a circuit breaker (state in the shared cache) ---
YOOKASSA_TIMEOUT = env.float("YOOKASSA_TIMEOUT", default=3.0)  # seconds a call may take
YOOKASSA_BREAKER_FAILURES = env.int("YOOKASSA_BREAKER_FAILURES", default=5)  # failed calls in a row open it
YOOKASSA_BREAKER_RESET = env.float("YOOKASSA_BREAKER_RESET", default=30.0)  # seconds open before a trial call
# Where the local fake YooKassa (tests, `make run`) sends its notifications; empty: SITE_URL + the notifications path.
FAKE_YOOKASSA_WEBHOOK_URL = env("FAKE_YOOKASSA_WEBHOOK_URL", default="")
# How many proxies in front of the shop append to X-Forwarded-For; 0 trusts REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SMS_BACKEND = env("SMS_BACKEND", default="console")
SMSRU_API_ID = env("SMSRU_API_ID", default="")
SMSRU_API_URL = env("SMSRU_API_URL", default="https://sms.ru/sms/send")
SMS_SENDER = env("SMS_SENDER", default="")
# Messages a day the whole shop may send with sign-in codes (an SMS costs money), of which the reserve (a percentage)
# goes only to phones that have an account (accounts.sms_limits); codes a day per client network (an IPv4 /24, an IPv6 /64).
SMS_DAILY_LIMIT = env.int("SMS_DAILY_LIMIT", default=500)
SMS_DAILY_RESERVE_PERCENT = env.int("SMS_DAILY_RESERVE_PERCENT", default=20)
SMS_ADDRESS_DAILY = env.int("SMS_ADDRESS_DAILY", default=60)

# --- Delivery (CDEK API v2) -----------------------------------------------------------------------------------
CDEK_API_URL = env("CDEK_API_URL", default="https://api.cdek.ru/v2")
CDEK_CLIENT_ID = env("CDEK_CLIENT_ID", default="")  # empty: CDEK is not configured, the flat price applies
CDEK_CLIENT_SECRET = env("CDEK_CLIENT_SECRET", default="")
CDEK_FROM_LOCATION = env.int("CDEK_FROM_LOCATION", default=44)  # CDEK's city code of the warehouse (44: Moscow)
CDEK_TIMEOUT = env.float("CDEK_TIMEOUT", default=3.0)  # seconds; a slower CDEK gets the flat price
DELIVERY_FLAT_AMOUNT = env("DELIVERY_FLAT_AMOUNT", default="390.00")
DELIVERY_DEFAULT_WEIGHT_GRAMS = env.int("DELIVERY_DEFAULT_WEIGHT_GRAMS", default=500)
# Fulfilment: the box of a unit when its product names none (cm), the CDEK office the shop hands parcels to and
# takes returns at (empty: parcels leave from CDEK_FROM_LOCATION), and the days a customer has to return goods.
CDEK_DEFAULT_BOX_CM = env("CDEK_DEFAULT_BOX_CM", default="30x20x5")
CDEK_SHIPMENT_POINT = env("CDEK_SHIPMENT_POINT", default="")
CDEK_WEBHOOK_URL = env("CDEK_WEBHOOK_URL", default="")  # empty: SITE_URL + /api/v1/delivery/cdek/webhook/
RETURN_DAYS = env.int("RETURN_DAYS", default=7)
CDEK_PRINT_WAIT = env.float("CDEK_PRINT_WAIT", default=30.0)  # seconds the shop waits for CDEK's print forms
# Checkout shows the pickup points on a Yandex map when a JavaScript API key is set (the list works without).

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# --- Observability ------------------------------------------------------------------------------------------
# Every request gets an id (the client's `X-Request-ID` when it sends a sane one): the response carries it back and
# every log line written while serving it names it. `LOG_FORMAT=plain` gives readable lines on a laptop.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
    "VALIDATE_GUID": False,
    "UUID_LENGTH": 32,
}
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            # Russian text (SMS in the console backend's lines, names) as people read it, not \uXXXX escapes.
            "json_ensure_ascii": False,
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
        },
        "plain": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if LOG_FORMAT == "plain" else "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "django_guid": {"level": "WARNING"}},
}
# Prometheus metrics at /metrics (django-prometheus): only for `Authorization: Bearer <METRICS_TOKEN>` or staff.
# With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR to a shared empty directory (prometheus_client).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
PROMETHEUS_METRIC_NAMESPACE = "dwc"
