"""The console's pages, one module each; ``page_routes`` gathers their routes.

A page module exposes ``routes() -> list[Route]`` and builds on the same stages as the command
of the same name (``check``, ``plan``, ``status``, ``logs``, ``report``): no second
implementation of anything.
"""

from __future__ import annotations

import importlib
import pkgutil

from starlette.routing import BaseRoute


def page_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        routes.extend(module.routes())
    return routes
