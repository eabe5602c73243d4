"""Where GLM Desk keeps its state: settings, history and logs."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

from app.core.redact import RedactingFilter

ENV_PROFILE = "GLM_DESK_PROFILE"


def resolve_profile(cli_value: str | None = None) -> Path:
    """--profile DIR, else $GLM_DESK_PROFILE, else the platform's user data folder."""
    value = cli_value or os.environ.get(ENV_PROFILE, "").strip()
    path = Path(value).expanduser() if value else Path(platformdirs.user_data_dir("glm-desk"))
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def setup_logging(profile: Path, level: int = logging.INFO) -> Path:
    log_dir = profile / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "glm-desk.log"
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())  # no API key, or piece of one, in the log
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    # httpx logs full request URLs and httpcore its traffic: keep them out of our log.
    for name in ("httpx", "httpcore", "asyncio"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return log_file
