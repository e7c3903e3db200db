"""Settings for the shop project. The database comes from DATABASE_URL."""
import os
from urllib.parse import parse_qsl, unquote, urlsplit

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "not-a-secret-only-for-migrations")
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "inventory",
]

ROOT_URLCONF = "shop.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def database_from_url(url):
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": parts.port or "",
        "OPTIONS": dict(parse_qsl(parts.query)),
    }


DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
