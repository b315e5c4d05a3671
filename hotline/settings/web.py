"""`web:`: the console (wallboard, agent desktop, admin pages) served by the daemon."""

from __future__ import annotations

from pydantic import Field

from hotline.config_text import StrictSection


class WebConsole(StrictSection):
    host: str = Field(default="127.0.0.1", description="loopback; a real site puts a TLS proxy in front")
    port: int = Field(default=8080, ge=0, le=65535, description="0 = any free port (tests)")
    secret_file: str = Field(
        default="var/web_secret",
        description="the key that signs session cookies; written (0600) at first start if missing",
    )
    secure_cookies: bool = Field(
        default=False, description="mark cookies Secure (true behind the site's HTTPS proxy)"
    )
    session_idle_minutes: int = Field(default=60, ge=5, le=24 * 60, description="logged out after this idle")
    session_max_hours: int = Field(default=12, ge=1, le=72, description="logged out after this long anyway")
    login_attempts: int = Field(default=5, ge=1, le=100, description="failed logins allowed per window")
    login_window_seconds: int = Field(default=300, ge=10, le=86400, description="per user name and address")
    service_level_goal: float = Field(
        default=0.8, gt=0, le=1, description="the wallboard turns red below this in the last 30 minutes"
    )
    wall_alert_wait_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="a waiting caller past this is shown as an alert"
    )
    wrapup_ends_on_save: bool = Field(
        default=True, description="saving the disposition on the agent desk ends the agent's wrap-up"
    )
