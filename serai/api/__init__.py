"""HTTP API and web app (FastAPI): a thin adapter over the library.

``create_app(Settings(...))`` returns the ASGI app that ``serai serve`` runs with
uvicorn. Routers are built once per (network, year) and shared by every request
(:mod:`serai.api.pool`); long work runs as background jobs with a job id and
progress (:mod:`serai.api.jobs`); every error is an RFC 9457 problem document
naming the field (:mod:`serai.api.problems`). The web app (``/``) is a static
bundle built from ``web/`` (MapLibre GL JS, no CDN).

FastAPI and uvicorn come with the ``service`` extra: ``pip install 'serai[service]'``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from serai.api.app import create_app

        return create_app
    if name == "Settings":
        from serai.api.settings import Settings

        return Settings
    raise AttributeError(name)
