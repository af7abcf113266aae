"""Read configuration from the environment, failing loudly on a bad value (12-factor)."""
from __future__ import annotations

import base64
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise ImproperlyConfigured(f"{name} must be a finite number, got {raw!r}")
    return value


def env_url(name: str, default: str = "") -> str:
    """An ``http://`` or ``https://`` URL with a host, or empty (unset)."""
    from urllib.parse import urlsplit

    raw = os.environ.get(name, default).strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be an http:// or https:// URL, got {raw!r}")
    return raw


def env_ed25519_seed(name: str) -> bytes | None:
    """An Ed25519 private key given as the standard base64 of its 32-byte seed (what
    ``manage.py transparency_keygen`` prints); None when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        seed = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be the base64 of a 32-byte Ed25519 seed: {exc}") from exc
    if len(seed) != 32:
        raise ImproperlyConfigured(f"{name} must be the base64 of a 32-byte Ed25519 seed, got {len(seed)} bytes")
    return seed


def development_seed(path: Path) -> bytes:
    """A development-only secret of 32 random bytes, made once into ``path`` (gitignored, mode
    0600) and read from it afterwards, so that heads signed yesterday still verify today. Written
    to a temporary file and linked into place, so a process starting at the same moment reads the
    whole key or makes none."""
    if not path.exists():
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(os.urandom(32)).decode() + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            temporary.unlink()
    seed = base64.b64decode(path.read_text().strip())
    if len(seed) != 32:
        raise ImproperlyConfigured(f"{path} does not hold a base64 32-byte seed; delete it to make a new one")
    return seed
