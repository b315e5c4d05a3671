"""`liveness:`: how the daemon shows it is alive (the watchdog) and watches its own event loop."""

from __future__ import annotations

from pydantic import Field

from hotline.config_text import StrictSection


class Liveness(StrictSection):
    watchdog_seconds: float = Field(
        default=5.0,
        ge=1,
        le=300,
        description="WatchdogSec of the shipped systemd unit and of `hotline supervise`: a daemon "
        "whose event loop does not ping for this long is killed and restarted",
    )
    loop_tick_seconds: float = Field(
        default=1.0, gt=0, le=10, description="how often the event loop's lag is measured"
    )
    loop_lag_warn_seconds: float = Field(
        default=0.5, gt=0, le=60, description="a lag above this is logged as a warning"
    )
    restart_seconds: float = Field(
        default=1.0, ge=0, le=300, description="`hotline supervise`: pause before a restart (RestartSec)"
    )
