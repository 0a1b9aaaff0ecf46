"""pytest plugin: check Canton console transcripts, one test item per file.

Registered as the ``canton_transcripts`` entry point. Configure the files with

* the ini option ``transcript_files`` (glob patterns relative to the rootdir, ``**`` allowed),
  e.g. ``transcript_files = tests/transcripts/*.md docs/*.rst``; files matching it are collected
  wherever pytest's collection reaches them, and also when they lie outside the collected
  directories if pytest was run without explicit paths;
* ``--transcripts=GLOB`` (repeatable; relative to the current directory): the matching files are
  collected in addition to whatever else is collected.

Every transcript item carries the ``transcript`` marker (``pytest -m transcript`` runs only
them). The session factory is ``canton_console.transcript.runner:default_session_factory``
unless the ini option ``transcript_session_factory = module:attribute`` names another; it is
imported when the first transcript runs. Transcripts run restricted (Canton commands and values
only: no Python imports, no names starting with ``_``, a whitelist of builtins); the option
``--transcripts-allow-python`` or the ini option ``transcript_allow_python = true`` lifts that.
Importing this module loads only pytest and the standard library.
"""

from __future__ import annotations

import glob
import importlib
import os
from pathlib import Path
from typing import Any

import pytest

DEFAULT_FACTORY = "canton_console.transcript.runner:default_session_factory"
PYTHON_FACTORY = "canton_console.transcript.runner:python_session_factory"

_MATCHED = pytest.StashKey[set]()
_FACTORY = pytest.StashKey[Any]()


class TranscriptFailure(Exception):
    """A transcript did not match; the message is the checker's report."""


class TranscriptSetupError(Exception):
    """The transcripts cannot run at all (no session factory)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("canton-transcripts", "Canton console transcripts")
    group.addoption(
        "--transcripts",
        action="append",
        default=[],
        metavar="GLOB",
        dest="canton_transcripts",
        help="check the console transcripts matching GLOB (repeatable; relative to the current directory)",
    )
    parser.addini(
        "transcript_files",
        type="args",
        default=[],
        help="glob patterns (relative to rootdir) of console transcripts to collect, one test per file",
    )
    group.addoption(
        "--transcripts-allow-python",
        action="store_true",
        default=False,
        dest="canton_transcripts_allow_python",
        help="run transcript steps unrestricted (Python imports, '_' names, every builtin); by default "
        "a transcript may only use Canton commands and values",
    )
    parser.addini(
        "transcript_allow_python",
        type="bool",
        default=False,
        help="run transcript steps unrestricted (as --transcripts-allow-python)",
    )
    parser.addini(
        "transcript_session_factory",
        default=DEFAULT_FACTORY,
        help="module:attribute of the session factory that runs transcripts",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "transcript: a Canton console transcript file")


def _expand(patterns: list[str], base: Path) -> set[Path]:
    found: set[Path] = set()
    for pattern in patterns:
        full = pattern if os.path.isabs(pattern) else str(base / pattern)
        for name in glob.glob(full, recursive=True):
            p = Path(name)
            if p.is_file():
                found.add(p.resolve())
    return found


def _ini_files(config: pytest.Config) -> set[Path]:
    return _expand(list(config.getini("transcript_files")), config.rootpath)


def _cli_files(config: pytest.Config) -> set[Path]:
    return _expand(list(config.getoption("canton_transcripts") or []), config.invocation_params.dir)


def _matched(config: pytest.Config) -> set[Path]:
    if _MATCHED not in config.stash:
        config.stash[_MATCHED] = _ini_files(config) | _cli_files(config)
    return config.stash[_MATCHED]


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    """Add transcript files that the normal collection would not reach."""
    config = session.config
    extra = set(_cli_files(config))
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        extra |= _ini_files(config)
    if not extra:
        return None
    base = config.invocation_params.dir
    covered = [(base / a.split("::")[0]).resolve() for a in config.args]
    for path in sorted(extra):
        if any(path == c or c in path.parents for c in covered):
            continue
        config.args.append(str(path))
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.resolve() in _matched(parent.config):
        return TranscriptFile.from_parent(parent, path=file_path)
    return None


class TranscriptFile(pytest.File):
    def collect(self):
        item = TranscriptItem.from_parent(self, name="transcript")
        item.add_marker(pytest.mark.transcript)
        yield item


def _load_factory(config: pytest.Config) -> Any:
    if _FACTORY in config.stash:
        return config.stash[_FACTORY]
    spec = str(config.getini("transcript_session_factory") or DEFAULT_FACTORY).strip()
    if spec == DEFAULT_FACTORY and (
        config.getoption("canton_transcripts_allow_python") or config.getini("transcript_allow_python")
    ):
        spec = PYTHON_FACTORY
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise TranscriptSetupError(
            f"transcript_session_factory = {spec!r}: expected module:attribute"
        )
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise TranscriptSetupError(
                f"cannot run transcripts: the session factory {spec} is not available "
                f"(no module named {exc.name!r})"
            ) from None
        raise TranscriptSetupError(
            f"cannot run transcripts: importing {module_name} failed: {exc}"
        ) from None
    except Exception as exc:  # noqa: BLE001
        raise TranscriptSetupError(
            f"cannot run transcripts: importing {module_name} failed: {type(exc).__name__}: {exc}"
        ) from None
    try:
        factory = getattr(module, attr)
    except AttributeError:
        raise TranscriptSetupError(
            f"cannot run transcripts: {module_name} has no attribute {attr!r}"
        ) from None
    config.stash[_FACTORY] = factory
    return factory


class TranscriptItem(pytest.Item):
    def runtest(self) -> None:
        from canton_console.transcript.checker import check_file, format_report

        factory = _load_factory(self.config)
        try:
            shown = os.path.relpath(self.path, self.config.rootpath)
        except ValueError:  # another drive
            shown = str(self.path)
        report = check_file(self.path, factory, display_path=shown)
        if not report.ok:
            raise TranscriptFailure(format_report(report))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None):
        if isinstance(excinfo.value, (TranscriptFailure, TranscriptSetupError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"transcript {self.path.name}"
