"""Transcript checking: run Canton-style console transcripts (``@ command`` then the output)
and compare what the console prints with what the document says.

* ``parse_transcript(text, path)`` finds the steps and ``canton-console:`` directives;
* ``match(expected_lines, actual_text, captures)`` compares one output (ellipses, ids, instants,
  durations, placeholders);
* ``check_transcript`` / ``check_file`` / ``check_files`` run files through an evaluation engine
  (a ``SessionFactory``) and report; ``update_transcript`` rewrites expected outputs in place.

Importing this package is cheap: nothing here imports the console runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "check_file": "checker",
    "check_files": "checker",
    "check_transcript": "checker",
    "format_report": "checker",
    "Captures": "matcher",
    "match": "matcher",
    "FileReport": "model",
    "MatchResult": "model",
    "ParseError": "model",
    "SessionFactory": "model",
    "Step": "model",
    "StepOutcome": "model",
    "StepReport": "model",
    "Transcript": "model",
    "TranscriptOptions": "model",
    "TranscriptSession": "model",
    "UpdateReport": "model",
    "parse_file": "parser",
    "parse_transcript": "parser",
    "UpdateError": "updater",
    "update_transcript": "updater",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    # Lazy, so that loading the pytest plugin (a submodule) stays cheap.
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # pragma: no cover - for type checkers; at run time __getattr__ imports lazily
    from .checker import check_file, check_files, check_transcript, format_report  # noqa: F401
    from .matcher import Captures, match  # noqa: F401
    from .model import (  # noqa: F401
        FileReport,
        MatchResult,
        ParseError,
        SessionFactory,
        Step,
        StepOutcome,
        StepReport,
        Transcript,
        TranscriptOptions,
        TranscriptSession,
        UpdateReport,
    )
    from .parser import parse_file, parse_transcript  # noqa: F401
    from .updater import UpdateError, update_transcript  # noqa: F401
