"""The interactive console: a ptpython front end over :meth:`Session.step`.

ptpython reads and edits the input (prompt ``@ ``, history, completion, signature toolbar, F2
menu, F3 history browser); every accepted input goes to ``session.step`` -- the same evaluation core
as piped input, scripts and transcripts -- and its ``output`` is printed as it is (coloured in a
terminal, the same text apart from ANSI codes). ptpython's own evaluation, result display, ``_``
variables, Jedi completion and ``exit`` are not used.

* Enter submits when ``interpreter.is_complete`` says the input is complete (Python or Scala), else
  it inserts a newline; a Python block (a line ending with ``:``) ends with an empty line.
  Meta-Enter (Esc Enter) always submits.
* The input UI runs in its own thread (``PythonRepl.read``); the evaluation runs in the main thread,
  so Ctrl-C while a command runs raises KeyboardInterrupt there and the interpreter reports
  ``Interrupted: the command was cancelled``. Ctrl-C at the prompt clears the line; Ctrl-D or
  ``exit`` leaves.
* Node log lines written while the prompt is shown go above it (``patch_stdout``).
* History: ``$CANTON_CONSOLE_HISTORY``, else ``$XDG_STATE_HOME/canton-console/history`` (default
  ``~/.local/state/canton-console/history``).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from prompt_toolkit.document import Document
from prompt_toolkit.enums import DEFAULT_BUFFER
from prompt_toolkit.filters import Condition, emacs_insert_mode, has_focus, has_selection, vi_insert_mode
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.validation import Validator
from ptpython.prompt_style import PromptStyle
from ptpython.repl import PythonRepl, ReplExit

from canton_console.console.completion import ConsoleCompleter, signature_at
from canton_console.console.interpreter import ExitRequested, internal_error

if TYPE_CHECKING:
    from canton_console.console.session import Session

BANNER = r"""   _____            _
  / ____|          | |
 | |     __ _ _ __ | |_ ___  _ __
 | |    / _` | '_ \| __/ _ \| '_ \
 | |___| (_| | | | | || (_) | | | |
  \_____\__,_|_| |_|\__\___/|_| |_|

  Welcome to Canton!
  Type `help` to get started. `exit` to leave.

"""

PROMPT = "@ "


def history_path() -> Path:
    explicit = os.environ.get("CANTON_CONSOLE_HISTORY")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "canton-console" / "history"


def _usable_history(path: Path) -> str | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        return str(path)
    except OSError as e:
        sys.stderr.write(f"WARN  canton-console - history disabled: cannot write {path}: {e.strerror}\n")
        return None


# ---- colour ---------------------------------------------------------------------------------


def colour_wanted(stream: TextIO) -> bool:
    """Colour only on a terminal, and never with ``NO_COLOR`` set (https://no-color.org) or TERM=dumb."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


_RESULT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)( ?: )(.+?)( = )")
_ERROR = re.compile(r"^(ERROR\b|Error:|Interrupted\b|[a-z][\w.]*\.[A-Z]\w*(Exception|Failure|Error)\b)")
_WARN = re.compile(r"^WARN\b")


class Colouriser:
    """ANSI colours for the console's output with rich's styles; only codes are added, never text."""

    def __init__(self) -> None:
        from rich.color import ColorSystem
        from rich.style import Style

        self._system = ColorSystem.STANDARD
        self.name = Style(dim=True)
        self.type = Style(color="cyan")
        self.error = Style(color="red")
        self.warn = Style(color="yellow")
        self.heading = Style(bold=True)

    def _paint(self, style, text: str) -> str:
        return style.render(text, color_system=self._system) if text else text

    def __call__(self, output: str) -> str:
        lines = output.split("\n")
        painted = []
        block = None  # the style of an ERROR/WARN line, kept for its indented continuation lines
        for i, line in enumerate(lines):
            if _ERROR.match(line) or _WARN.match(line):
                block = self.warn if _WARN.match(line) else self.error
                painted.append(self._paint(block, line))
                continue
            if block is not None and line.startswith("  "):
                painted.append(self._paint(block, line))
                continue
            block = None
            m = _RESULT.match(line)
            if m:
                painted.append(
                    self._paint(self.name, m.group(1))
                    + self._paint(self.name, m.group(2))
                    + self._paint(self.type, m.group(3))
                    + m.group(4)
                    + line[m.end() :]
                )
                continue
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if line and set(line) == {"-"} and i > 0 and len(lines[i - 1]) == len(line) and painted:
                painted.append(self._paint(self.heading, line))
                continue
            if line and nxt and set(nxt) == {"-"} and len(nxt) == len(line):
                painted.append(self._paint(self.heading, line))
                continue
            painted.append(line)
        return "\n".join(painted)


# ---- the REPL -------------------------------------------------------------------------------


class CantonPrompt(PromptStyle):
    """``@ `` and continuation lines aligned under the input."""

    def in_prompt(self):
        return [("class:prompt", PROMPT)]

    def in2_prompt(self, width: int):
        return [("class:prompt.dots", " " * width)]

    def out_prompt(self):
        return []


class _AcceptAll(Validator):
    """Python and Scala are both valid input; the interpreter reports syntax errors itself."""

    def validate(self, document: Document) -> None:
        return None


def _block_pending(lines: list[str]) -> bool:
    """A Python block is being typed: a line ends with ``:`` and the current line is indented."""
    last = lines[-1]
    if len(lines) > 1 and last[:1] in (" ", "\t"):
        return any(_ends_with_colon(line) for line in lines[:-1])
    return False


def _ends_with_colon(line: str) -> bool:
    code = line.split("#", 1)[0].rstrip()
    return code.endswith(":") and not code.endswith("::")


def ready_to_submit(text: str, is_complete) -> bool:
    """Whether Enter at the end of ``text`` submits it (else it inserts a newline)."""
    if not text.strip():
        return True
    lines = text.split("\n")
    if len(lines) > 1 and not lines[-1].strip():
        # An empty line ends a block; still incomplete brackets keep going.
        return is_complete(text.rstrip())
    if _ends_with_colon(lines[-1]):
        return False
    if _block_pending(lines):
        return False
    return is_complete(text)


class CantonRepl(PythonRepl):
    def __init__(self, session: "Session", out: TextIO, colour: bool, history_filename: str | None, **kw: Any):
        self.session = session
        self._out = out
        self._colour = Colouriser() if colour else None
        namespace = session.interpreter.namespace
        super().__init__(
            get_globals=lambda: namespace,
            get_locals=lambda: namespace,
            history_filename=history_filename,
            _completer=ConsoleCompleter(lambda: namespace),
            _validator=_AcceptAll(),
            extra_key_bindings=self._key_bindings(),
            **kw,
        )
        self.all_prompt_styles["canton"] = CantonPrompt()
        self.prompt_style = "canton"
        self.show_signature = True
        self.show_docstring = False
        self.show_status_bar = False
        self.show_meta_enter_message = False
        self.confirm_exit = False
        self.enable_input_validation = False
        self.enable_dictionary_completion = False
        self.enable_history_search = False
        self.enable_auto_suggest = False
        self.insert_blank_line_after_output = False
        self.insert_blank_line_after_input = False
        self.complete_while_typing = True
        self.enable_system_bindings = True

    # ptpython puts `exit` and `get_ptpython` into the namespace: ours has its own `exit`.
    def _add_to_namespace(self) -> None:
        pass

    def _remove_from_namespace(self) -> None:
        pass

    def _key_bindings(self) -> KeyBindings:
        bindings = KeyBindings()
        sidebar = Condition(lambda: self.show_sidebar)

        @bindings.add(
            "enter",
            filter=~sidebar & ~has_selection & (vi_insert_mode | emacs_insert_mode) & has_focus(DEFAULT_BUFFER),
        )
        def _(event) -> None:
            from ptpython.key_bindings import auto_newline

            b = event.current_buffer
            if self.paste_mode:
                b.insert_text("\n")
                return
            at_end = not b.document.text_after_cursor.strip()
            if at_end and ready_to_submit(b.text, self.session.interpreter.is_complete):
                text = b.text.rstrip()
                b.document = Document(text=text, cursor_position=len(text))
                b.validate_and_handle()
            else:
                auto_newline(b)

        return bindings

    # Signatures from our own commands (ptpython's default asks Jedi, which may read properties).
    def _on_input_timeout(self, buff) -> None:
        from ptpython.signatures import Parameter, Signature

        try:
            text = buff.document.text_before_cursor
            found = signature_at(self.get_globals(), text)
        except Exception:  # noqa: BLE001 - the toolbar never breaks the prompt
            found = None
        if found is None:
            self.signatures = []
            self.docstring_buffer.reset()
            return
        row = text.count("\n", 0, found.bracket) + 1
        col = found.bracket - (text.rfind("\n", 0, found.bracket) + 1)
        params = [Parameter(name, None, default, kind) for name, kind, default in found.parameters]
        self.signatures = [Signature(found.name, found.doc, params, found.index, bracket_start=(row, col))]
        # Shown when "Show docstring" is switched on in the F2 menu.
        self.docstring_buffer.reset(document=Document(found.doc, cursor_position=0))

    def run_and_show_expression(self, expression: str) -> None:
        try:
            try:
                outcome = self.session.step(expression)
            except ExitRequested:
                raise ReplExit from None
            self.write(outcome.output)
        except KeyboardInterrupt:
            self.write("Interrupted: the command was cancelled\n")
        except ReplExit:
            raise
        except Exception as e:  # noqa: BLE001 - the last guard: the prompt must survive any input
            self.write(internal_error(e, self.session.interpreter.debug))
        self.signatures = []

    def write(self, output: str) -> None:
        if not output:
            return
        text = self._colour(output) if self._colour is not None else output
        self._out.write(text)
        self._out.flush()


def _redirect_logging(stream: TextIO, originals: tuple) -> list:
    """Point stream handlers that write to the terminal at ``stream`` (patch_stdout's proxy)."""
    swapped = []
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            if handler.stream in originals:
                swapped.append((handler, handler.setStream(stream)))
    return swapped


def run_repl(session: "Session", on_first_prompt: Callable[[], None] | None = None) -> None:
    """The interactive console, until Ctrl-D or ``exit``. ``on_first_prompt`` runs once the first
    prompt is on the screen (work that must not make it later)."""
    out = sys.stdout
    colour = colour_wanted(out)
    if threading.current_thread() is threading.main_thread():
        # The evaluation runs here: Ctrl-C must raise KeyboardInterrupt in this thread.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    history = _usable_history(history_path())
    repl = CantonRepl(session, out, colour, history)
    if on_first_prompt is not None:

        def after_render(_app: Any) -> None:
            repl.app.after_render -= after_render
            on_first_prompt()

        repl.app.after_render += after_render
    out.write(BANNER)
    out.flush()
    originals = (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)
    with patch_stdout():
        swapped = _redirect_logging(sys.stderr, originals)
        try:
            repl.run()
        finally:
            for handler, old in swapped:
                handler.setStream(old)
