"""Service settings (pydantic-settings), built in ``create_app``/``main``, never at import.

Environment variables use the ``REGDEV_`` prefix, e.g. ``REGDEV_DATABASE_URL``,
``REGDEV_SECRET_KEY``, ``REGDEV_ENVIRONMENT``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from regdev.errors import ConfigError

PLACEHOLDER_SECRET = "changethis"


class Settings(BaseSettings):
    """Monitoring-service configuration.

    Parameters
    ----------
    database_url : str
        SQLAlchemy URL; SQLite file by default, ``postgresql+psycopg://…`` in production.
    environment : {"development", "production"}
        Placeholder secrets are refused outside ``development``.
    secret_key : str
        Key that signs access tokens and session cookies.
    access_token_expire_minutes : int
        Lifetime of a token or session cookie.
    lockout_attempts, lockout_window_minutes : int
        An account is locked after ``lockout_attempts`` failed logins within the window.
    """

    model_config = SettingsConfigDict(
        env_prefix="REGDEV_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = "sqlite:///./regdev.db"
    environment: Literal["development", "production"] = "development"
    secret_key: str = PLACEHOLDER_SECRET
    access_token_expire_minutes: int = Field(default=8 * 60, ge=1)
    lockout_attempts: int = Field(default=5, ge=1)
    lockout_window_minutes: int = Field(default=15, ge=1)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost: int = Field(default=65536, ge=8)
    cookie_name: str = "regdev_session"
    api_prefix: str = "/api/v1"

    def check_secrets(self) -> None:
        """Refuse the placeholder secret outside development.

        Raises
        ------
        ConfigError
            If ``secret_key`` is the placeholder and ``environment`` is not development.
        """
        if self.environment != "development" and self.secret_key == PLACEHOLDER_SECRET:
            msg = (
                f"REGDEV_SECRET_KEY is the placeholder {PLACEHOLDER_SECRET!r} while "
                f"REGDEV_ENVIRONMENT={self.environment!r}; set a long random secret "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
            raise ConfigError(msg)
