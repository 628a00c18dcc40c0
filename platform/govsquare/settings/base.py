"""Settings shared by every profile. All configuration comes from the environment, read here once."""

from __future__ import annotations

from urllib.parse import unquote

import environ
from celery.schedules import crontab
from csp import constants as csp_constants

from govsquare import layout
from shared_apps.identity_provider.addresses import origin
from shared_apps.identity_provider.keys import development_signing_key
from tenants.hosts import RegisteredHosts

env = environ.Env()

BASE_DIR = layout.REPO_ROOT

#: The name of the development-only secret key; production refuses to start with it.
INSECURE_DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 - refused in production

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)

#: The shared space answers on this host; organisations on ``<slug>.<PLATFORM_DOMAIN>`` and custom domains.
PLATFORM_DOMAIN = env.str("PLATFORM_DOMAIN", default="govsquare.localhost").lower().strip(".")
#: Scheme and port used when the platform prints or builds absolute URLs to its own hosts.
PLATFORM_SCHEME = env.str("PLATFORM_SCHEME", default="http")
PLATFORM_PORT = env.int("PLATFORM_PORT", default=8000)

#: Static patterns; a custom domain is allowed while the registry knows it (tenants/hosts.py).
ALLOWED_HOSTS = RegisteredHosts(env.list("ALLOWED_HOSTS", default=[PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}"]))

# --- Applications: derived from the folders (see govsquare/layout.py) -------------------------------
SHARED_APPS = layout.shared_apps()
TENANT_APPS = layout.tenant_apps()
INSTALLED_APPS = layout.installed_apps()

TENANT_MODEL = "tenants.Organisation"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "govsquare.urls_public"
ROOT_URLCONF = "govsquare.urls_tenants"
#: Every organisation schema is cloned from a template schema; nothing runs migrations per organisation.
TENANT_CREATION_FAKES_MIGRATIONS = False
#: Spare schemas kept ready so that a new organisation's schema is an instant rename (0 = no pool).
ORGANISATION_POOL_SIZE = env.int("ORGANISATION_POOL_SIZE", default=3)
#: Days an organisation scheduled for deletion can still be restored.
ORGANISATION_DELETION_GRACE_DAYS = env.int("ORGANISATION_DELETION_GRACE_DAYS", default=30)
#: Where organisation export archives are written.
EXPORT_ROOT = env.path("EXPORT_ROOT", default=str(BASE_DIR / ".local" / "exports"))

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["shared_apps.people.backends.AccountBackend"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
# Editors reach a subsite's admin through the platform sign-on too (one account, its two-factor step).
WAGTAILADMIN_LOGIN_URL = LOGIN_URL

MIDDLEWARE = [
    "tenants.middleware.OrganisationMiddleware",  # first: decides the schema for the request
    "tenants.nul_bytes.RefuseNulBytesMiddleware",  # a NUL byte in path, query, form or JSON: 400, never a 500
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp; the Wagtail admin's allowance in govsquare/security.py).
    "govsquare.security.ContentSecurityPolicyMiddleware",
    # Static files (the Wagtail admin's, the subsites' scripts) on every host, with far-future caching for
    # hashed names; in any profile, so the admin works behind Gunicorn without a separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the language: cookie (set at sign-in), Accept-Language
    "shared_apps.accounts.language.LanguageCookieMiddleware",  # sets that cookie when a sign-in chose it
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # 429 on too many sign-ups, reset requests, invitations, bad operator tokens (after the CSRF check).
    "shared_apps.accounts.rate_limits.RateLimitMiddleware",
    "shared_apps.identity_provider.sessions.SessionEpochMiddleware",  # single sign-out, every host
    "tenant_apps.sso.middleware.SilentSignInMiddleware",  # subsites: sign in silently once per session
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "platform" / "govsquare" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

WSGI_APPLICATION = "govsquare.wsgi.application"

# --- Database ----------------------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/govsquare")
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
# A Unix socket directory may be given percent-encoded as the host: postgres://user@%2Frun%2Fpg/db
DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"] or "")
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ------------------------------------------------------------------
#: Empty string = no Redis: tasks run inline and the cache is per process (development only).
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")

if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis: a Redis that is down is a cache miss (logged), not an error page; pages keep serving.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Tenant-aware keys: org A never reads org B's entry (django-tenants #1052).
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="govsquare"),
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT", default=1.0),
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "KEY_PREFIX": "govsquare",
        }
    }

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
#: The platform search's index: "postgres" (full-text in the public schema, the only backend built). An
#: OpenSearch backend for very large platforms may come later; any other value fails ``manage.py check``.
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="postgres")

CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="govsquare")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
# Proxies in front of the application (nginx: 1); 0 = use REMOTE_ADDR, ignore X-Forwarded-For (python-ipware,
# shared_apps/accounts/client_address.py). Their addresses (IPs, CIDRs or prefixes): a request from elsewhere has
# its forwarded headers ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
IPWARE_TRUSTED_PROXY_LIST = env.list("IPWARE_TRUSTED_PROXY_LIST", default=[])

CELERY_TASK_ACKS_LATE = True
# Above the longest job (tenants.jobs.JOB_LONGEST_SECONDS = 6 h), or Redis redelivers a job still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=8 * 3600)}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # Organisations whose deletion grace period has ended are purged (schema, media, registry rows).
    "purge-organisations-past-grace": {"task": "tenants.purge_due", "schedule": 3600.0},
    # Keep the warm pool of spare schemas full (a claim also queues a refill at once).
    "refill-schema-pool": {"task": "tenants.pool_refill", "schedule": 600.0},
    # Sign-on tokens and grants that have expired (django-oauth-toolkit's cleartokens).
    "clear-expired-sign-on-tokens": {"task": "identity_provider.clear_expired_tokens", "schedule": 3600.0},
    # Notification digests (shared_apps/notifications), in TIME_ZONE: daily at 07:00, weekly on Monday at 07:00.
    "notifications-daily-digest": {
        "task": "notifications.digests_send",
        "schedule": crontab(hour=7, minute=0),
        "kwargs": {"frequency": "daily"},
    },
    "notifications-weekly-digest": {
        "task": "notifications.digests_send",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
        "kwargs": {"frequency": "weekly"},
    },
}

# --- Internationalisation ----------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
TIME_ZONE = "Europe/Amsterdam"
#: Celery beat reads its crontab schedules (the notification digests at 07:00) in this time zone, not UTC.
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static and media --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "static_collected"))
#: Without ``collectstatic`` (development, tests), WhiteNoise serves the apps' static folders directly; a
#: production deployment runs ``collectstatic`` and may set this to false.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
#: Media of each organisation lands in its own folder (MEDIA_ROOT/<schema>/...).
STORAGES = {
    # The organisation's media folder (django-tenants' storage); a write that fails half-way leaves nothing.
    "default": {"BACKEND": "tenants.storage.TenantStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# No web server serves MEDIA_ROOT: every file goes through tenant_apps.pages.media (or Wagtail's document
# view), which checks visibility first. Behind nginx, SENDFILE_BACKEND=django_sendfile.backends.nginx hands
# the sending back to it (X-Accel-Redirect to SENDFILE_URL, an `internal` location aliased to MEDIA_ROOT);
# unset, Django streams the file itself.
if env.str("SENDFILE_BACKEND", default=""):
    SENDFILE_BACKEND = env.str("SENDFILE_BACKEND")
SENDFILE_ROOT = MEDIA_ROOT
SENDFILE_URL = env.str("SENDFILE_URL", default="/protected-media")

# --- Wagtail -----------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "GovSquare"
WAGTAILADMIN_BASE_URL = env.str(
    "WAGTAILADMIN_BASE_URL", default=f"{PLATFORM_SCHEME}://{PLATFORM_DOMAIN}:{PLATFORM_PORT}"
)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# No avatars from Gravatar: a government platform does not send its people's e-mail hashes elsewhere.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Security ----------------------------------------------------------------------------------------
# Argon2id first (memory-hard); older hashes are upgraded on the next successful sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
#: No page of the platform may be framed by another site, nor by itself (CSP frame-ancestors 'none' too).
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
#: Content-Security-Policy (django-csp). Scripts: this origin only, and an inline script only with the
#: request's nonce (``nonce="{{ request.csp_nonce }}"``); never 'unsafe-inline'. Styles keep 'unsafe-inline':
#: the page frame (govsquare/base.html) carries an inline <style> and the templates use style attributes.
#: No form-action: signing in posts to the shared space, which redirects to a subsite's (custom) domain.
#: The Wagtail admin (/admin/) still has inline scripts of its own (inline panels, date widgets); it gets
#: 'unsafe-inline' for scripts there only (govsquare/security.py, WAGTAIL_ADMIN_CSP_PREFIXES).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
WAGTAIL_ADMIN_CSP_PREFIXES = ["/admin/"]
#: Rate limits (django-ratelimit; shared_apps/accounts/rate_limits.py): "<count>/<period>" per client
#: address and per account or e-mail address, counted platform-wide. Sign-in keeps its own lockout above.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True  # a cache that does not answer must not stop sign-up (shared_apps/accounts/rate_limits.py)
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
ACCOUNT_SIGNUP_RATE = env.str("ACCOUNT_SIGNUP_RATE", default="10/h")
ACCOUNT_PASSWORD_RESET_RATE = env.str("ACCOUNT_PASSWORD_RESET_RATE", default="5/h")
ACCOUNT_INVITATION_RATE = env.str("ACCOUNT_INVITATION_RATE", default="50/h")
OPERATOR_API_TOKEN_RATE = env.str("OPERATOR_API_TOKEN_RATE", default="10/h")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"tenant_context": {"()": "django_tenants.log.TenantContextFilter"}},
    "formatters": {
        "tenant_context": {"format": "[%(schema_name)s:%(domain_url)s] %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["tenant_context"],
            "formatter": "tenant_context",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail 8 runs its search and reference-index updates as (inline) django-tasks: one line each.
        "django_tasks": {"level": "WARNING"},
    },
}

# --- Outgoing mail: Django's mail backend, sent from the Celery workers ------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)  # seconds: a stuck mail server holds a worker no longer
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="GovSquare <noreply@govsquare.localhost>")

# --- Accounts: sign-in protection and links in e-mails (shared_apps/accounts) ------------------------
#: Failed sign-ins (wrong password or two-factor code) in a row that lock an account; every further
#: run of as many failures locks it again, twice as long each time, up to the maximum.
ACCOUNT_LOCKOUT_THRESHOLD = env.int("ACCOUNT_LOCKOUT_THRESHOLD", default=5)
ACCOUNT_LOCKOUT_MINUTES = env.int("ACCOUNT_LOCKOUT_MINUTES", default=15)
ACCOUNT_LOCKOUT_MAX_MINUTES = env.int("ACCOUNT_LOCKOUT_MAX_MINUTES", default=24 * 60)
#: Failed sign-ins from one IP address (any account, any host) that make it wait for the rest of the
#: window. Generous: a whole ministry may sit behind one address.
ACCOUNT_IP_MAX_FAILURES = env.int("ACCOUNT_IP_MAX_FAILURES", default=50)
ACCOUNT_IP_WINDOW_MINUTES = env.int("ACCOUNT_IP_WINDOW_MINUTES", default=15)
#: How long the links in account e-mails work.
ACCOUNT_EMAIL_VERIFICATION_HOURS = env.int("ACCOUNT_EMAIL_VERIFICATION_HOURS", default=72)
ACCOUNT_PASSWORD_RESET_HOURS = env.int("ACCOUNT_PASSWORD_RESET_HOURS", default=2)
ACCOUNT_INVITATION_DAYS = env.int("ACCOUNT_INVITATION_DAYS", default=14)

# --- Groups in the shared space ---------------------------------------------------------------------------
#: Who may create groups: "civil_servants" (and platform operators) or "everyone" (every active account).
GROUPS_CREATORS = env.str("GROUPS_CREATORS", default="civil_servants")
GROUP_INVITATION_DAYS = env.int("GROUP_INVITATION_DAYS", default=14)
#: Files members upload to a group: the largest size, and the kinds (by extension) accepted.
GROUP_FILE_MAX_BYTES = env.int("GROUP_FILE_MAX_BYTES", default=25 * 1024 * 1024)
#: Each file is also checked by its content (shared_apps/group_files/kinds.py: only the kinds described there).
GROUP_FILE_EXTENSIONS = env.list(
    "GROUP_FILE_EXTENSIONS", default="pdf docx xlsx pptx odt ods odp txt csv png jpg jpeg gif webp zip".split()
)

# --- Single sign-on: OpenID Connect, the shared space as provider, every subsite a client ------------
#: The provider's issuer: its browser-facing address on the shared space (``iss`` of every ID token).
OIDC_ISSUER = env.str(
    "OIDC_ISSUER", default=origin(scheme=PLATFORM_SCHEME, host=PLATFORM_DOMAIN, port=PLATFORM_PORT) + "/o"
)
#: Where subsites reach the provider server to server (discovery, token, JWKS). The calls carry the Host
#: header of PLATFORM_DOMAIN, so the organisation middleware routes them to the shared space. In
#: production: the application servers or their internal load balancer.
OIDC_PROVIDER_INTERNAL_URL = env.str("OIDC_PROVIDER_INTERNAL_URL", default=f"http://127.0.0.1:{PLATFORM_PORT}")
OIDC_PROVIDER_TIMEOUT = env.float("OIDC_PROVIDER_TIMEOUT", default=10.0)
#: Signs ID tokens (PEM, RSA >= 2048 bits). Production refuses to start without it; development and
#: tests generate one once into .local/ when it is not set.
OIDC_RSA_PRIVATE_KEY = env.str("OIDC_RSA_PRIVATE_KEY", default="", multiline=True)
if not OIDC_RSA_PRIVATE_KEY and not env.str("DJANGO_SETTINGS_MODULE", default="").endswith(".production"):
    OIDC_RSA_PRIVATE_KEY = development_signing_key(path=BASE_DIR / ".local" / "oidc-signing-key.pem")

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": OIDC_ISSUER,
    "OIDC_RSA_PRIVATE_KEY": OIDC_RSA_PRIVATE_KEY,
    "OAUTH2_VALIDATOR_CLASS": "shared_apps.identity_provider.validators.GovSquareOAuth2Validator",
    "SCOPES": {
        "openid": "Sign you in with your GovSquare account",
        "profile": "Your name, and whether you are a civil servant",
        "email": "Your e-mail address",
    },
    "DEFAULT_SCOPES": ["openid"],
    # The authorisation code flow with PKCE (S256 only); no implicit or password grants.
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    # RFC 9700 further: tokens only in the Authorization header, `iss` in the authorisation response,
    # tokens stored hashed, a replayed refresh token revokes its family (manage.py check --deploy clean).
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # Subsites use the tokens only while signing in; their own session carries on from there.
    "ACCESS_TOKEN_EXPIRE_SECONDS": 300,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 300,
    # RP-initiated logout: no confirmation page when the ID token matches the session, and only to a
    # registered post-logout address.
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
}
