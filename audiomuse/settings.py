"""Django settings, read from the environment only.

Every variable is documented in `.env.example` and the README. Values are
parsed by the readers in `audiomuse.env`, which fail at startup naming the
variable. When neither DATABASE_URL nor POSTGRES_HOST is set, and REDIS_URL is
unset, the embedded PostgreSQL and Redis under AUDIOMUSE_DATA_DIR are used.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from audiomuse import embedded
from audiomuse.env import (
    env_bool,
    env_choice,
    env_database,
    env_float,
    env_int,
    env_list,
    env_path,
    env_str,
    env_url,
    is_set,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Where things live ------------------------------------------------------

DATA_DIR = env_path("AUDIOMUSE_DATA_DIR", BASE_DIR / "var")
TEMP_DIR = env_path("TEMP_DIR", DATA_DIR / "tmp")
MODEL_DIR = env_path("MODEL_DIR", DATA_DIR / "models")
EMBEDDED_PATHS = embedded.EmbeddedPaths(DATA_DIR)


def _persistent_secret(name: str, filename: str) -> tuple[str, bool]:
    """The variable's value, or a random one kept in the data directory.

    Keeping it on disk means sessions and plugin tokens survive restarts
    without the user having to invent a value. The flag says whether the
    value was generated just now (so the launcher can show it once).
    """
    if is_set(name):
        return env_str(name), False
    path = DATA_DIR / filename
    try:
        return path.read_text().strip(), False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{name} is not set and {path} cannot be read ({exc.strerror}); "
            f"set {name} or point AUDIOMUSE_DATA_DIR at a writable folder"
        ) from exc
    try:
        return _create_secret_file(path), True
    except FileExistsError:
        # Another process (a container's web, worker and beat start together) made it first.
        return path.read_text().strip(), False
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{name} is not set and {path} cannot be written ({exc.strerror}); "
            f"set {name} or point AUDIOMUSE_DATA_DIR at a writable folder"
        ) from exc


def _create_secret_file(path: Path) -> str:
    """Write a new random secret to ``path`` unless it exists; never a half-written file."""
    value = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    draft.write_text(value)
    draft.chmod(0o600)
    try:
        os.link(draft, path)  # atomic: fails with FileExistsError when another process won
    finally:
        draft.unlink()
    return value


# --- Core Django --------------------------------------------------------------

SECRET_KEY, _ = _persistent_secret("SECRET_KEY", "secret_key")
API_TOKEN, API_TOKEN_GENERATED = _persistent_secret("API_TOKEN", "api_token")
API_TOKEN_FILE_PATH = None if is_set("API_TOKEN") else DATA_DIR / "api_token"
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
AUDIOMUSE_BIND = env_str("AUDIOMUSE_BIND", "127.0.0.1:8000")
AUDIOMUSE_WEB_WORKERS = env_int("AUDIOMUSE_WEB_WORKERS", 2, minimum=1)
AUDIOMUSE_ADMIN_USER = env_str("AUDIOMUSE_ADMIN_USER", "admin")
AUDIOMUSE_ADMIN_PASSWORD = env_str("AUDIOMUSE_ADMIN_PASSWORD")
LOG_LEVEL = env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "audiomuse",
    "scheduling",
    "analysis",
    "playlists",
    "clustering",
    "similarity",
    "chat",
    "mediaservers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "audiomuse.api.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "audiomuse.urls"
WSGI_APPLICATION = "audiomuse.wsgi.application"
APPEND_SLASH = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

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
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TZ", "UTC")
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.js from the installed plotly wheel: the charts never load a CDN.
    "audiomuse.static_finders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- PostgreSQL -----------------------------------------------------------------

EMBEDDED_DATABASE = not (is_set("DATABASE_URL") or is_set("POSTGRES_HOST"))
if is_set("DATABASE_URL"):
    _database = env_database("DATABASE_URL")
elif is_set("POSTGRES_HOST"):
    _database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": env_str("POSTGRES_DB", "audiomusedb"),
        "USER": env_str("POSTGRES_USER", "audiomuse"),
        "PASSWORD": env_str("POSTGRES_PASSWORD"),
        "HOST": env_str("POSTGRES_HOST"),
        "PORT": str(env_int("POSTGRES_PORT", 5432, minimum=1, maximum=65535)),
    }
else:
    env_int("POSTGRES_PORT", 5432, minimum=1, maximum=65535)  # still reject a malformed value
    _database = embedded.database_settings(EMBEDDED_PATHS)
_database["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
_database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
# Web processes cancel a database statement that runs longer than this (0 = never), so one runaway
# request cannot hold a web thread and a database connection indefinitely; workers have no limit.
WEB_STATEMENT_TIMEOUT_SECONDS = env_int("WEB_STATEMENT_TIMEOUT_SECONDS", 30, minimum=0)

# --- Redis and Celery -------------------------------------------------------------

EMBEDDED_REDIS = not is_set("REDIS_URL")
REDIS_URL = (
    embedded.redis_url(EMBEDDED_PATHS) if EMBEDDED_REDIS else env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
)


def _celery_redis_url(url: str) -> str:
    # Kombu spells a unix-socket Redis "redis+socket://"; redis-py says "unix://".
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


CELERY_BROKER_URL = _celery_redis_url(REDIS_URL)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 0, minimum=0) or None
# Long album children must not be redelivered while still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 3600, minimum=60)}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ROUTES = {
    name: {"queue": "high"} for name in ("scheduling.plan", "scheduling.advance", "scheduling.finish")
}
TASK_LOG_MAX_LINES = env_int("TASK_LOG_MAX_LINES", 200, minimum=10)

# --- Media server ---------------------------------------------------------------------

MEDIASERVER_TYPE = env_choice("MEDIASERVER_TYPE", "local", ("local", "jellyfin", "emby", "navidrome", "lyrion", "mpd"))
MUSIC_LIBRARIES = env_str("MUSIC_LIBRARIES")
MUSIC_DIR = env_path("MUSIC_DIR", BASE_DIR / "music")
PLAYLIST_DIR = env_path("PLAYLIST_DIR", MUSIC_DIR / "Playlists")
_HTTP = ("http", "https")
JELLYFIN_URL = env_url("JELLYFIN_URL", schemes=_HTTP)
JELLYFIN_USER_ID = env_str("JELLYFIN_USER_ID")
JELLYFIN_TOKEN = env_str("JELLYFIN_TOKEN")
EMBY_URL = env_url("EMBY_URL", schemes=_HTTP)
EMBY_USER_ID = env_str("EMBY_USER_ID")
EMBY_TOKEN = env_str("EMBY_TOKEN")
NAVIDROME_URL = env_url("NAVIDROME_URL", schemes=_HTTP)
NAVIDROME_USER = env_str("NAVIDROME_USER")
NAVIDROME_PASSWORD = env_str("NAVIDROME_PASSWORD")
LYRION_URL = env_url("LYRION_URL", schemes=_HTTP)
MPD_HOST = env_str("MPD_HOST", "localhost")
MPD_PORT = env_int("MPD_PORT", 6600, minimum=1, maximum=65535)
MPD_PASSWORD = env_str("MPD_PASSWORD")
MPD_MUSIC_DIRECTORY = env_str("MPD_MUSIC_DIRECTORY")
MEDIASERVER_TIMEOUT = env_float("MEDIASERVER_TIMEOUT", 30.0, minimum=1.0)
MEDIASERVER_MAX_DOWNLOAD_MB = env_int("MEDIASERVER_MAX_DOWNLOAD_MB", 1024, minimum=1)

# --- Analysis -------------------------------------------------------------------------

AUDIO_MAX_DURATION = env_float("AUDIO_MAX_DURATION", 600.0, minimum=3.0)
AUDIO_LOAD_TIMEOUT = env_float("AUDIO_LOAD_TIMEOUT", 120.0, minimum=1.0)
TOP_N_MOODS = env_int("TOP_N_MOODS", 5, minimum=1, maximum=50)
TEMPO_MIN_BPM = env_float("TEMPO_MIN_BPM", 60.0, minimum=20.0)
TEMPO_MAX_BPM = env_float("TEMPO_MAX_BPM", 200.0, minimum=40.0)
if TEMPO_MAX_BPM < 2 * TEMPO_MIN_BPM:
    raise ImproperlyConfigured("TEMPO_MAX_BPM must be at least twice TEMPO_MIN_BPM, so every tempo can be folded in")
ENERGY_MIN = env_float("ENERGY_MIN", -40.0, maximum=0.0)
ENERGY_MAX = env_float("ENERGY_MAX", -6.0, maximum=0.0)
if ENERGY_MAX <= ENERGY_MIN:
    raise ImproperlyConfigured("ENERGY_MAX must be greater than ENERGY_MIN (both in dBFS)")
ANALYSIS_TAG_MODELS = env_list("ANALYSIS_TAG_MODELS", "msd")
if not ANALYSIS_TAG_MODELS or set(ANALYSIS_TAG_MODELS) - {"msd", "mtt"} or ANALYSIS_TAG_MODELS[0] != "msd":
    raise ImproperlyConfigured("ANALYSIS_TAG_MODELS must be 'msd' or 'msd,mtt'")
ANALYSIS_BATCH_SIZE = env_int("ANALYSIS_BATCH_SIZE", 1, minimum=1, maximum=1024)
EMBEDDING_MODEL_PATH = env_str("EMBEDDING_MODEL_PATH")
PREDICTION_MODEL_PATH = env_str("PREDICTION_MODEL_PATH")
NUM_RECENT_ALBUMS = env_int("NUM_RECENT_ALBUMS", 0)
MAX_QUEUED_ANALYSIS_JOBS = env_int("MAX_QUEUED_ANALYSIS_JOBS", 20, minimum=1)
REBUILD_INDEX_BATCH_SIZE = env_int("REBUILD_INDEX_BATCH_SIZE", 100, minimum=1)
ANALYSIS_TASK_RETRIES = env_int("ANALYSIS_TASK_RETRIES", 2, minimum=0, maximum=10)
ANALYSIS_STALE_SECONDS = env_int("ANALYSIS_STALE_SECONDS", 900, minimum=30)
RECONCILE_INTERVAL_SECONDS = env_int("RECONCILE_INTERVAL_SECONDS", 30, minimum=5)
CLEANING_SAFETY_LIMIT = env_int("CLEANING_SAFETY_LIMIT", 100, minimum=0)
CELERY_BEAT_SCHEDULE = {
    "reconcile-jobs": {
        "task": "scheduling.reconcile",
        "schedule": float(RECONCILE_INTERVAL_SECONDS),
        "options": {"queue": "high", "expires": RECONCILE_INTERVAL_SECONDS},
    }
}


# --- Clustering -------------------------------------------------------------------------

CLUSTERING_RUNS = env_int("CLUSTERING_RUNS", 1000, minimum=1)
ITERATIONS_PER_BATCH_JOB = env_int("ITERATIONS_PER_BATCH_JOB", 20, minimum=1)
MAX_CONCURRENT_BATCH_JOBS = env_int("MAX_CONCURRENT_BATCH_JOBS", 10, minimum=1)
CLUSTERING_BATCH_TIMEOUT_MINUTES = env_int("CLUSTERING_BATCH_TIMEOUT_MINUTES", 60, minimum=1)
CLUSTERING_MAX_FAILED_BATCHES = env_int("CLUSTERING_MAX_FAILED_BATCHES", 10, minimum=0)
CLUSTER_ALGORITHM = env_choice("CLUSTER_ALGORITHM", "kmeans", ("kmeans", "dbscan", "gmm", "spectral"))
ENABLE_CLUSTERING_EMBEDDINGS = env_bool("ENABLE_CLUSTERING_EMBEDDINGS", True)
NUM_CLUSTERS_MIN = env_int("NUM_CLUSTERS_MIN", 40, minimum=2)
NUM_CLUSTERS_MAX = env_int("NUM_CLUSTERS_MAX", 100, minimum=2)
DBSCAN_EPS_MIN = env_float("DBSCAN_EPS_MIN", 0.1, minimum=0.0)
DBSCAN_EPS_MAX = env_float("DBSCAN_EPS_MAX", 0.5, minimum=0.0)
DBSCAN_MIN_SAMPLES_MIN = env_int("DBSCAN_MIN_SAMPLES_MIN", 5, minimum=1)
DBSCAN_MIN_SAMPLES_MAX = env_int("DBSCAN_MIN_SAMPLES_MAX", 20, minimum=1)
GMM_N_COMPONENTS_MIN = env_int("GMM_N_COMPONENTS_MIN", 40, minimum=2)
GMM_N_COMPONENTS_MAX = env_int("GMM_N_COMPONENTS_MAX", 100, minimum=2)
GMM_COVARIANCE_TYPE = env_choice("GMM_COVARIANCE_TYPE", "full", ("full", "tied", "diag", "spherical"))
SPECTRAL_N_CLUSTERS_MIN = env_int("SPECTRAL_N_CLUSTERS_MIN", 40, minimum=2)
SPECTRAL_N_CLUSTERS_MAX = env_int("SPECTRAL_N_CLUSTERS_MAX", 100, minimum=2)
PCA_COMPONENTS_MIN = env_int("PCA_COMPONENTS_MIN", 0, minimum=0, maximum=199)
PCA_COMPONENTS_MAX = env_int("PCA_COMPONENTS_MAX", 199, minimum=0, maximum=199)
TOP_N_ELITES = env_int("TOP_N_ELITES", 10, minimum=1)
EXPLOITATION_START_FRACTION = env_float("EXPLOITATION_START_FRACTION", 0.2, minimum=0.0, maximum=1.0)
EXPLOITATION_PROBABILITY_CONFIG = env_float("EXPLOITATION_PROBABILITY_CONFIG", 0.7, minimum=0.0, maximum=1.0)
MUTATION_INT_ABS_DELTA = env_int("MUTATION_INT_ABS_DELTA", 3, minimum=0)
MUTATION_FLOAT_ABS_DELTA = env_float("MUTATION_FLOAT_ABS_DELTA", 0.05, minimum=0.0)
MIN_SONGS_PER_GENRE_FOR_STRATIFICATION = env_int("MIN_SONGS_PER_GENRE_FOR_STRATIFICATION", 100, minimum=1)
STRATIFIED_SAMPLING_TARGET_PERCENTILE = env_float("STRATIFIED_SAMPLING_TARGET_PERCENTILE", 50, minimum=0, maximum=100)
SAMPLING_PERCENTAGE_CHANGE_PER_RUN = env_float("SAMPLING_PERCENTAGE_CHANGE_PER_RUN", 0.2, minimum=0.0, maximum=1.0)
SCORE_WEIGHT_DIVERSITY = env_float("SCORE_WEIGHT_DIVERSITY", 2.0, minimum=0.0)
SCORE_WEIGHT_PURITY = env_float("SCORE_WEIGHT_PURITY", 1.0, minimum=0.0)
SCORE_WEIGHT_OTHER_FEATURE_DIVERSITY = env_float("SCORE_WEIGHT_OTHER_FEATURE_DIVERSITY", 0.0, minimum=0.0)
SCORE_WEIGHT_OTHER_FEATURE_PURITY = env_float("SCORE_WEIGHT_OTHER_FEATURE_PURITY", 0.0, minimum=0.0)
SCORE_WEIGHT_SILHOUETTE = env_float("SCORE_WEIGHT_SILHOUETTE", 0.0, minimum=0.0)
SCORE_WEIGHT_DAVIES_BOULDIN = env_float("SCORE_WEIGHT_DAVIES_BOULDIN", 0.0, minimum=0.0)
SCORE_WEIGHT_CALINSKI_HARABASZ = env_float("SCORE_WEIGHT_CALINSKI_HARABASZ", 0.0, minimum=0.0)
TOP_K_MOODS_FOR_PURITY_CALCULATION = env_int("TOP_K_MOODS_FOR_PURITY_CALCULATION", 3, minimum=1)
MAX_DISTANCE = env_float("MAX_DISTANCE", 0.5)
TOP_N_PLAYLISTS = env_int("TOP_N_PLAYLISTS", 10, minimum=0)
MIN_PLAYLIST_SIZE_FOR_TOP_N = env_int("MIN_PLAYLIST_SIZE_FOR_TOP_N", 20, minimum=1)
MAX_SONGS_PER_CLUSTER = env_int("MAX_SONGS_PER_CLUSTER", 0, minimum=0)
MAX_SONGS_PER_ARTIST = env_int("MAX_SONGS_PER_ARTIST", 3, minimum=1)
DUPLICATE_DISTANCE_THRESHOLD_COSINE = env_float("DUPLICATE_DISTANCE_THRESHOLD_COSINE", 0.01, minimum=0.0)
DUPLICATE_DISTANCE_CHECK_LOOKBACK = env_int("DUPLICATE_DISTANCE_CHECK_LOOKBACK", 1, minimum=0)


# --- Vector index -----------------------------------------------------------------------

INDEX_NAME = env_str("INDEX_NAME", "music_library")
VOYAGER_M = env_int("VOYAGER_M", 32, minimum=4, maximum=128)
VOYAGER_EF_CONSTRUCTION = env_int("VOYAGER_EF_CONSTRUCTION", 400, minimum=10)
VOYAGER_QUERY_EF = env_int("VOYAGER_QUERY_EF", 200, minimum=10)
DB_FETCH_CHUNK_SIZE = env_int("DB_FETCH_CHUNK_SIZE", 1000, minimum=10)
# Weight of the radial term in the hyperbolic roots / niche modes (similarity.engine.hyperbolic).
HYPERBOLIC_RADIAL_SPREAD = env_float("HYPERBOLIC_RADIAL_SPREAD", 1.0, minimum=0.0, maximum=10.0)


# --- Similar songs, song path, alchemy, sonic fingerprint ------------------------------------

SIMILARITY_ELIMINATE_DUPLICATES_DEFAULT = env_bool("SIMILARITY_ELIMINATE_DUPLICATES_DEFAULT", True)
SIMILARITY_RADIUS_DEFAULT = env_bool("SIMILARITY_RADIUS_DEFAULT", True)
DUPLICATE_DISTANCE_THRESHOLD_EUCLIDEAN = env_float("DUPLICATE_DISTANCE_THRESHOLD_EUCLIDEAN", 0.15, minimum=0.0)
MOOD_SIMILARITY_THRESHOLD = env_float("MOOD_SIMILARITY_THRESHOLD", 0.15, minimum=0.0, maximum=1.0)
MOOD_SIMILARITY_ENABLE = env_bool("MOOD_SIMILARITY_ENABLE", False)
PATH_DISTANCE_METRIC = env_choice("PATH_DISTANCE_METRIC", "angular", ("angular", "euclidean"))
PATH_DEFAULT_LENGTH = env_int("PATH_DEFAULT_LENGTH", 25, minimum=2, maximum=200)
PATH_CANDIDATES_PER_STEP = env_int("PATH_CANDIDATES_PER_STEP", 25, minimum=1)
PATH_FIX_SIZE = env_bool("PATH_FIX_SIZE", False)
ALCHEMY_DEFAULT_N_RESULTS = env_int("ALCHEMY_DEFAULT_N_RESULTS", 100, minimum=1)
ALCHEMY_MAX_N_RESULTS = env_int("ALCHEMY_MAX_N_RESULTS", 200, minimum=1)
ALCHEMY_TEMPERATURE = env_float("ALCHEMY_TEMPERATURE", 1.0, minimum=0.0)
ALCHEMY_SUBTRACT_DISTANCE_ANGULAR = env_float("ALCHEMY_SUBTRACT_DISTANCE_ANGULAR", 0.2, minimum=0.0, maximum=2.0)
SONIC_FINGERPRINT_TOP_N_SONGS = env_int("SONIC_FINGERPRINT_TOP_N_SONGS", 20, minimum=1)
SONIC_FINGERPRINT_NEIGHBORS = env_int("SONIC_FINGERPRINT_NEIGHBORS", 100, minimum=1)


# --- AI models (AudioMuse-AI's names; GET /api/config reports them as the request defaults) ---

AI_MODEL_PROVIDER = env_str("AI_MODEL_PROVIDER", "NONE").upper()
if AI_MODEL_PROVIDER not in ("NONE", "OLLAMA", "GEMINI", "MISTRAL", "OPENAI"):
    raise ImproperlyConfigured(
        f"AI_MODEL_PROVIDER must be one of NONE, OLLAMA, GEMINI, MISTRAL, OPENAI, got {AI_MODEL_PROVIDER!r}"
    )
OLLAMA_SERVER_URL = env_url("OLLAMA_SERVER_URL", "http://127.0.0.1:11434/api/generate", schemes=_HTTP)
OLLAMA_MODEL_NAME = env_str("OLLAMA_MODEL_NAME", "mistral:7b")
GEMINI_MODEL_NAME = env_str("GEMINI_MODEL_NAME", "gemini-2.5-pro")
MISTRAL_MODEL_NAME = env_str("MISTRAL_MODEL_NAME", "ministral-3b-latest")
OPENAI_MODEL_NAME = env_str("OPENAI_MODEL_NAME", "gpt-4o-mini")

# --- API ------------------------------------------------------------------------------

# GET /api/sync without a token, for importers that send none (the SUB/WAVE importer): anyone who
# can reach the server then reads every analysed track's tags.
SYNC_WITHOUT_TOKEN = env_bool("SYNC_WITHOUT_TOKEN", False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.api.auth.BearerTokenAuthentication",
        "common.api.auth.ApiSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "mediaservers.permissions.KnownServerSelection",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "audiomuse.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "audiomuse.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Flask-style spacing, as AudioMuse-AI clients have always seen it.
    "COMPACT_JSON": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AudioMuse API",
    "DESCRIPTION": "Music analysis, playlists and similarity search; compatible with AudioMuse-AI clients.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "audiomuse.api.schema.common_error_responses",
    ],
}

# --- Logging ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL.upper()},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
