"""Whether an SQLite store must be checked for damage when it is opened.

``pragma quick_check`` reads every page of the file: its time grows with the store (seconds for a
store of millions of events). A store that this process closed cleanly (no failure seen, nothing
else had it open, no write-ahead log left) gets a mark next to it, ``<file>.intact``, naming the
file's identity and state (device, inode, size, modification and change times in ns). When the file
still has exactly that state at the next open, nothing has written to it since it was last found
intact and the check is skipped; any write (by us after a crash, by another program, a damaged
copy) changes the state, and the file is checked in full as before. Damage the file system does not
report (bit rot) is still found when the page is read: the node then halts with
``DB_STORAGE_CORRUPT`` and writes nothing more (storage.py).
"""

from __future__ import annotations

import os
from pathlib import Path

MARK_SUFFIX = ".intact"
# Files SQLite leaves next to a database that is (or was, at a crash) open.
_OPEN_TRACES = ("-wal", "-shm", "-journal")


def _state(file: str) -> str:
    st = os.stat(file)
    return f"{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}"


def _open_traces(file: str) -> bool:
    return any(Path(file + suffix).exists() for suffix in _OPEN_TRACES)


def mark_intact(file: str) -> None:
    """(after a clean close, nothing else having the file open) Remember the file's state as intact."""
    mark = Path(file + MARK_SUFFIX)
    try:
        if _open_traces(file):
            mark.unlink(missing_ok=True)
            return
        temporary = mark.with_name(mark.name + ".tmp")
        temporary.write_text(_state(file) + "\n", encoding="ascii")
        os.replace(temporary, mark)
    except OSError:
        pass  # a read-only or full disk: the next open checks the file in full


def unchanged_since_intact(file: str) -> bool:
    """Whether the file is in the state it was last marked intact in (then it needs no full check)."""
    try:
        mark = Path(file + MARK_SUFFIX).read_text(encoding="ascii").strip()
        return not _open_traces(file) and mark == _state(file)
    except (OSError, UnicodeDecodeError):
        return False

