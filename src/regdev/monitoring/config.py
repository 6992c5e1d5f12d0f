"""Service settings (pydantic-settings), built in ``create_app``/``main``, never at import.

Environment variables use the ``REGDEV_`` prefix, e.g. ``REGDEV_DATABASE_URL``,
``REGDEV_SECRET_KEY``, ``REGDEV_ENVIRONMENT``.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from regdev.errors import ConfigError

PLACEHOLDER_SECRET = "changethis"
MIN_SECRET_LENGTH = 16


class Settings(BaseSettings):
    """Monitoring-service configuration.

    Parameters
    ----------
    database_url : str
        SQLAlchemy URL; SQLite file by default, ``postgresql+psycopg://…`` in production.
    environment : {"development", "production"}
        ``production`` by default; the placeholder (or a short) secret is refused
        outside ``development``, which must be asked for explicitly
        (``REGDEV_ENVIRONMENT=development``).
    secret_key : str
        Key that signs access tokens and session cookies.
    previous_secret_keys : list of str
        Earlier keys still accepted for *verifying* tokens during a key rotation
        (``REGDEV_PREVIOUS_SECRET_KEYS='["old-key"]'``); new tokens use ``secret_key``.
    access_token_expire_minutes : int
        Lifetime of a token or session cookie.
    lockout_attempts, lockout_window_minutes : int
        An account is locked for one client address after ``lockout_attempts`` failed
        logins from that address within the window.
    login_rate_per_minute, login_burst : float, int
        Logins one client address may start per minute, and at once, before further
        attempts get 429 without any password hashing (login floods).
    max_body_bytes, max_upload_bytes, max_anonymous_body_bytes : int
        Request-body limits (bytes) for authenticated requests, CSV uploads and requests
        without valid credentials (login forms); larger bodies get 413 before they are
        read in full.
    anchor_file, anchor_key_file : str
        External audit anchor (see ``docs/security.md``): where ``regdev audit anchor``
        appends signed chain heads and the key that signs them; empty = not configured.
        With both set, ``regdev serve`` anchors every ``anchor_interval_minutes`` while
        the chain head moves.
    fast_reads : bool
        Answer the API's list endpoints on the direct read path
        (:mod:`regdev.monitoring.fast_reads`); ``False`` sends them through FastAPI's
        routing like every other request.
    """

    model_config = SettingsConfigDict(
        env_prefix="REGDEV_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = "sqlite:///./regdev.db"
    environment: Literal["development", "production"] = "production"
    secret_key: str = PLACEHOLDER_SECRET
    previous_secret_keys: list[str] = Field(default_factory=list)
    access_token_expire_minutes: int = Field(default=8 * 60, ge=1)
    lockout_attempts: int = Field(default=5, ge=1)
    login_rate_per_minute: float = Field(default=20.0, gt=0)
    login_burst: int = Field(default=20, ge=1)
    lockout_window_minutes: int = Field(default=15, ge=1)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost: int = Field(default=65536, ge=8)
    cookie_name: str = "regdev_session"
    api_prefix: str = "/api/v1"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    max_anonymous_body_bytes: int = Field(default=16 * 1024, ge=1024)
    anchor_file: str = ""
    anchor_key_file: str = ""
    anchor_interval_minutes: float = Field(default=60.0, gt=0)
    fast_reads: bool = True

    def check_secrets(self) -> None:
        """Refuse the placeholder (or a short) secret unless development was asked for.

        In development the placeholder is accepted with a logged warning.

        Raises
        ------
        ConfigError
            If ``secret_key`` is the placeholder or shorter than 16 characters and
            ``environment`` is not ``development``.
        """
        weak = self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH
        if not weak:
            return
        if self.environment == "development":
            logging.getLogger("regdev.monitoring").warning(
                "REGDEV_SECRET_KEY is the placeholder or short: anyone can forge tokens "
                "(accepted because REGDEV_ENVIRONMENT=development)"
            )
            return
        msg = (
            "REGDEV_SECRET_KEY is not set (or is the placeholder, or shorter than "
            f"{MIN_SECRET_LENGTH} characters): anyone could forge tokens. Set a long random "
            "secret, e.g. `export REGDEV_SECRET_KEY=$(python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')`, or for a local trial only "
            "`export REGDEV_ENVIRONMENT=development`"
        )
        raise ConfigError(msg)
