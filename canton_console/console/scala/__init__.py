"""Translator from the Scala subset operators paste from the Canton docs into Python source.

See :mod:`canton_console.console.scala_syntax` for the subset and the public API.
"""

from .errors import ScalaSyntaxError
from .parser import DURATION_UNITS
from .runtime import RUNTIME_HELPERS, cc_apply, cc_div, cc_duration, cc_mod, cc_sel, snake_case
from .translate import BY_NAME_METHODS, ScalaTranslation, detect_syntax, translate

__all__ = [
    "BY_NAME_METHODS",
    "DURATION_UNITS",
    "RUNTIME_HELPERS",
    "ScalaSyntaxError",
    "ScalaTranslation",
    "cc_apply",
    "cc_div",
    "cc_duration",
    "cc_mod",
    "cc_sel",
    "detect_syntax",
    "snake_case",
    "translate",
]
