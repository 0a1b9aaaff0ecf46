"""The console's command groups, one module per group. Importing this package imports every
module in it, and each module registers its groups (:func:`canton_console.console.framework.subgroup`,
:func:`~canton_console.console.framework.top_level`): adding a group is adding a module."""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


load_all()
