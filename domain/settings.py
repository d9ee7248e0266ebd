"""Configuration from the environment (prefix ``CADENCE_``); documented in the README."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CADENCE_", env_file=".env", extra="ignore")

    # Unset database / Redis URLs mean "start the embedded server under data_dir".
    database_url: str | None = Field(default=None, description="App role URL (runtime, under RLS).")
    database_owner_url: str | None = Field(default=None, description="Owner role URL (migrations).")
    redis_url: str | None = None
    data_dir: Path = Path(".cadence")

    # Each process keeps at most this many connections and reuses them (no overflow connections to
    # open and close under load; a request waits for a free one instead). Budget workers x pool size
    # (+ the checkpointer's, + Celery's) under PostgreSQL's max_connections, or put PgBouncer between.
    database_pool_size: int = Field(default=10, ge=1, description="Connections kept per process.")
    database_max_overflow: int = Field(
        default=0, ge=0, description="Extra connections opened past the pool (and closed after) under load."
    )
    database_pool_timeout_seconds: float = Field(default=30.0, gt=0)
    # PgBouncer in transaction pooling mode (before 1.21) cannot carry server-side prepared statements
    # from one transaction to the next: set this false when CADENCE_DATABASE_URL points at it.
    database_prepared_statements: bool = True

    host: str = "127.0.0.1"
    port: int = 8000
    # HTTP worker processes (uvicorn); each has its own event loop and its own database pool.
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)

    session_ttl_hours: int = 24 * 14
    cookie_secure: bool = False
    invitation_ttl_hours: int = 24 * 7
    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_ip: int = 30
    login_max_failures_per_account_everywhere: int = 20
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated proxy addresses (or networks) whose X-Forwarded-For is believed; none.",
    )
    public_base_url: str = "http://127.0.0.1:8000"
    webhook_private_addresses: bool = Field(
        default=False,
        description="Let webhooks reach addresses inside the server's network (a receiver on the same "
        "private network); off: public internet addresses only.",
    )
    receipts_dir: Path | None = Field(
        default=None, description="Where receipts are stored; <data_dir>/receipts."
    )
    receipt_max_bytes: int = 10 * 1024 * 1024
    receipt_link_ttl_days: int = 30
    # S3-compatible receipt storage (AWS, MinIO, R2, …): used when endpoint and bucket are set.
    receipts_s3_endpoint: str | None = None
    receipts_s3_bucket: str | None = None
    receipts_s3_region: str = "us-east-1"
    receipts_s3_access_key: str | None = None
    receipts_s3_secret_key: str | None = None

    # The copilot's LLM planner: any OpenAI-compatible endpoint. Unset base URL: the offline planner.
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = Field(default=None, description="Secret: from the environment only.")
    llm_timeout_seconds: float = 20.0
    llm_max_retries: int = 2
    llm_max_tools: int = Field(default=8, description="Send at most this many tools (the nearest ones).")
    copilot_retention_days: int = Field(
        default=30, description="Idle conversations' checkpoints are pruned after this."
    )

    # Notifications. No SMTP host: emails are written to <data_dir>/mail (a Maildir) instead of sent.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, description="Secret: from the environment only.")
    smtp_starttls: bool = False
    mail_from: str = "Cadence <no-reply@cadence.invalid>"
    # Telegram: everything Telegram is off unless the token is set.
    telegram_token: str | None = Field(default=None, description="Secret: from the environment only.")
    telegram_webhook_secret: str | None = Field(
        default=None, description="Secret: from the environment only."
    )
    telegram_bot_username: str | None = Field(default=None, description="For t.me deep links in link codes.")
    telegram_api_url: str | None = Field(
        default=None, description="Another Bot API server (self-hosted, or the fake one); unset: Telegram's."
    )
    # Signs webhooks (each endpoint's secret is derived from it). Unset: generated once into
    # <data_dir>/secret_key, which suits one machine; set it when several machines send webhooks.
    secret_key: str | None = Field(default=None, description="Secret: from the environment only.")
    # Background jobs: how often the beat runs each one, in seconds.
    outbox_interval_seconds: float = 15.0
    delivery_interval_seconds: float = 30.0
    summaries_interval_seconds: float = 600.0


@lru_cache
def get_settings() -> Settings:
    return Settings()
