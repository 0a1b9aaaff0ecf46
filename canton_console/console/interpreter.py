"""The evaluation core. One interpreter serves the REPL, piped input, scripts and transcripts.

A step is one input (``@ ...`` in a transcript): Python or the Scala subset (detected, or forced by
``syntax``). Every step takes the next number N. Its last expression's value is echoed as
``resN: Type = value``; a single-name assignment as ``name: Type = value`` (a Scala ``val`` as
``name : Type = value``, as Canton's documentation shows it); Unit (None) prints nothing. Failures
print Canton's three lines, or one clear line for Python mistakes; never a traceback unless
``debug``.
"""

from __future__ import annotations

import ast
import difflib
import io
import logging
import sys
import traceback
import warnings
from typing import Any

import attrs

from canton_console.console.framework import CONSOLE_LOGGER, ArgumentError, CommandFailure
from canton_console.console.render import HelpText, echo
from canton_console.logs import new_trace_id
from canton_console.values.errors import CantonError
from canton_console.values.scala import NoSuchElement

# Command failures are logged for the log file and logging.last_errors(); where no logging is set
# up (an embedding, a test), Python's last-resort handler must not print them a second time.
logging.getLogger(CONSOLE_LOGGER).addHandler(logging.NullHandler())


@attrs.frozen
class Outcome:
    output: str
    failed: bool = False
    value: Any = None


class ExitRequested(Exception):
    pass


TOO_DEEP = "Error: the input is nested too deeply to evaluate (Python's or the console's limit on brackets, operators and member selections)"


class Interpreter:
    """``restricted``: transcripts' mode (see :mod:`canton_console.console.restricted`): Canton
    commands and values only, checked on what the user wrote, with a whitelist of builtins."""

    def __init__(self, console, syntax: str = "auto", debug: bool = False, width: int = 80, restricted: bool = False):
        self.console = console
        self.namespace = console.namespace
        self.syntax = syntax
        self.debug = debug
        self.width = width
        self.counter = 0
        self.scala_vals: set[str] = set()
        self.restricted = False
        if restricted:
            self.restrict()

    def restrict(self) -> None:
        """Switch to restricted mode (transcripts): checked input, whitelisted builtins."""
        from canton_console.console.restricted import SAFE_BUILTINS

        self.restricted = True
        self.namespace["__builtins__"] = dict(SAFE_BUILTINS)

    # ---- one step ------------------------------------------------------------------------
    def execute(self, source: str) -> Outcome:
        """Run one step and return what the console prints for it."""
        self.counter += 1
        n = self.counter
        filename = f"cmd{n}.sc"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Python's SyntaxWarnings are noise here: the step's error says it
                code, last, label = self._compile(source, filename)
        except BaseException as e:  # noqa: BLE001 - whatever the lexer, parser or compiler raise
            if isinstance(e, (SystemExit, KeyboardInterrupt)):
                raise
            return Outcome(self._compile_failure(e, None), failed=True)
        captured = _Capture()
        value = None
        try:
            with captured:
                if code is not None:
                    exec(code, self.namespace)
                if last is not None:
                    value = eval(last, self.namespace)
                elif label is not None:
                    value = self.namespace.get(label[0])
        except SystemExit:
            raise ExitRequested() from None
        except KeyboardInterrupt:
            return Outcome(captured.text() + "Interrupted: the command was cancelled\n", failed=True)
        except BaseException as e:  # noqa: BLE001 - every failure becomes console output
            return Outcome(captured.text() + self._failure(e, filename), failed=True)
        printed = captured.text()
        if value is self.namespace.get("exit"):
            raise ExitRequested()
        if value is None:  # Unit: nothing to echo
            return Outcome(printed)
        try:
            with _Capture():
                text = self._show(value, n, label)
        except KeyboardInterrupt:
            return Outcome(printed + "Interrupted: the command was cancelled\n", failed=True)
        except BaseException as e:  # noqa: BLE001 - a value whose display fails (its __repr__ raises)
            if isinstance(e, SystemExit):
                raise ExitRequested() from None
            return Outcome(printed + f"Error: the result could not be shown: {_describe_exception(e)}\n" + self._traceback(e), failed=True)
        return Outcome(printed + (text + "\n" if text else ""), value=value)

    def _traceback(self, error: BaseException) -> str:
        return "".join(traceback.format_exception(error)) if self.debug else ""

    def _compile_failure(self, error: BaseException, path: str | None) -> str:
        """What a failure to read or compile an input prints: one line, whatever raised it."""
        from canton_console.console.restricted import NotAllowed

        if isinstance(error, SyntaxError):
            text = self._syntax_error(error, path)
        elif isinstance(error, (RecursionError, MemoryError)):
            text = TOO_DEEP + (f" ({path})" if path else "") + "\n"
        elif isinstance(error, NotAllowed):
            text = f"Error: {error}\n"
        else:  # ValueError (e.g. a null byte), OverflowError ...
            text = f"Error: the input could not be compiled: {_describe_exception(error)}\n"
        return text + self._traceback(error)

    def _compile(self, source: str, filename: str):
        """Returns (code for all but the last expression, last expression code, (name, scala?))."""
        from canton_console.console.scala_syntax import detect_syntax

        syntax = self.syntax if self.syntax != "auto" else detect_syntax(source)
        label = None
        if syntax == "scala":
            try:
                tree, translation = self._translate_scala(source, filename)
            except SyntaxError:
                if self.syntax == "auto" and _starts_with_python_keyword(source):
                    ast.parse(source, filename=filename)  # raises Python's own, more useful, error
                raise
            self.scala_vals.update(translation.vals)
            name = translation.last_is_val_or_val_name
            if name is not None and name in self.scala_vals:
                label = (name, True)
        else:
            tree = ast.parse(source, filename=filename, mode="exec")
            if self.restricted:
                from canton_console.console.restricted import check_python

                check_python(tree)
            if self.syntax == "auto":
                by_name_thunks(tree)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            expr = ast.Expression(tree.body.pop().value)
            last = compile(expr, filename, "eval")
        elif tree.body and label is None and syntax == "python":
            stmt = tree.body[-1]
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                label = (stmt.targets[0].id, False)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                label = (stmt.target.id, False)
        code = compile(tree, filename, "exec") if tree.body else None
        return code, last, label

    def _translate_scala(self, source: str, filename: str):
        """Translate a Scala step statement by statement, so each keeps its line number; returns the
        Python module and the last statement's translation (for ``val`` echo), with all vals."""
        from canton_console.console.scala_syntax import ScalaSyntaxError, translate

        body: list[ast.stmt] = []
        vals: list[str] = []
        last = None
        for first_line, chunk in split_statements(source, self.is_complete) or [(1, source)]:
            try:
                last = translate(chunk, inspect=self._inspect_scala)
            except ScalaSyntaxError as e:
                raise ScalaSyntaxError(str(e).split(" (line")[0], (e.lineno or 1) + first_line - 1, e.offset or 1) from None
            vals += last.vals
            tree = _parse_translation(last.python_with_imports, filename, first_line)
            body += tree.body
        assert last is not None  # there is always a statement: split_statements(...) or [(1, source)]
        return ast.Module(body=body, type_ignores=[]), attrs.evolve(last, vals=tuple(vals))

    def _inspect_scala(self, stmts: list) -> None:
        if self.restricted:
            from canton_console.console.restricted import check_scala

            check_scala(stmts)

    def _show(self, value: Any, n: int, label) -> str:
        from canton_console.console.framework import Group
        from canton_console.console.namespace import TopLevelHelp

        if isinstance(value, HelpText):
            return str(value)
        if isinstance(value, TopLevelHelp):
            return value.text()
        if isinstance(value, Group):
            return str(value.help())
        if label is not None:
            name, scala = label
            return echo(name, value, " : " if scala else ": ", self.width)
        return echo(f"res{n}", value, ": ", self.width)

    # ---- scripts -------------------------------------------------------------------------
    def run_script(self, path: str, text: str | None = None) -> Outcome:
        """Run a whole script (``--bootstrap``, ``run``): values are not echoed; the first failure stops
        it, reported with the script's file and line."""
        from canton_console.console.scala_syntax import detect_syntax

        if text is None:
            try:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
            except OSError as e:
                return Outcome(f"Error: cannot read the script {path}: {e.strerror or e}\n", failed=True)
            except UnicodeDecodeError as e:
                return Outcome(
                    f"Error: cannot read the script {path}: it is not UTF-8 text (byte 0x{e.object[e.start]:02x} at offset {e.start})\n",
                    failed=True,
                )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                syntax = self.syntax if self.syntax != "auto" else detect_syntax(text)
                if syntax == "python":
                    tree = ast.parse(text, filename=path, mode="exec")
                    if self.restricted:
                        from canton_console.console.restricted import check_python

                        check_python(tree)
                    if self.syntax == "auto":
                        by_name_thunks(tree)
                    chunks = [(1, compile(tree, path, "exec"))]
                else:
                    chunks = self._scala_chunks(text, path)
        except BaseException as e:  # noqa: BLE001 - whatever the lexer, parser or compiler raise
            if isinstance(e, (SystemExit, KeyboardInterrupt)):
                raise
            return Outcome(self._compile_failure(e, path), failed=True)
        captured = _Capture()
        try:
            with captured:
                for _line, code in chunks:
                    exec(code, self.namespace)
        except SystemExit:
            return Outcome(captured.text())
        except KeyboardInterrupt:
            return Outcome(captured.text() + "Interrupted\n", failed=True)
        except BaseException as e:  # noqa: BLE001 - reported like a console failure
            return Outcome(captured.text() + self._failure(e, path), failed=True)
        return Outcome(captured.text())

    def _scala_chunks(self, text: str, path: str) -> list[tuple[int, Any]]:
        """Translate a Scala script statement by statement, keeping each statement's line number."""
        from canton_console.console.scala_syntax import ScalaSyntaxError, translate

        chunks = []
        for first_line, source in split_statements(text, self.is_complete):
            try:
                python = translate(source, inspect=self._inspect_scala).python_with_imports
            except ScalaSyntaxError as e:
                raise ScalaSyntaxError(str(e).split(" (line")[0], (e.lineno or 1) + first_line - 1, e.offset or 1) from None
            tree = _parse_translation(python, path, first_line)
            ast.increment_lineno(tree, first_line - 1)
            chunks.append((first_line, compile(tree, path, "exec")))
        return chunks

    # ---- failures ------------------------------------------------------------------------
    def _location(self, error: BaseException, filename: str) -> str:
        line = 1
        for frame, lineno in traceback.walk_tb(error.__traceback__):
            if frame.f_code.co_filename == filename:
                line = lineno
        return f"{filename.rsplit('/', 1)[-1] if filename.startswith('cmd') else filename}:{line}"

    def _failure(self, error: BaseException, filename: str) -> str:
        try:
            return self._describe_failure(error, filename)
        except Exception:  # noqa: BLE001 - an exception whose message cannot be shown
            return f"Error: {type(error).__name__} (its message could not be shown)\n"

    def _describe_failure(self, error: BaseException, filename: str) -> str:
        if isinstance(error, RecursionError):
            return f"Error: RecursionError: {error} (a function calls itself without end?)\n" + self._traceback(error)
        if self.debug:
            detail = "".join(traceback.format_exception(error))
        else:
            detail = ""
        if isinstance(error, CommandFailure):
            command = error.command or "ConsoleCommand"
            # Canton logs the failure: into the log file and the last errors; the terminal shows it below.
            # (A failure before the command ran, such as a bad argument, gets a trace id of its own.)
            logging.getLogger(CONSOLE_LOGGER).error(error.cause, extra={"console_shown": True, "trace_id": error.trace_id or new_trace_id()})
            text = (
                f"ERROR {CONSOLE_LOGGER} - {error.cause}\n"
                f"  Command {command} invoked from {self._location(error, filename)}\n"
                "com.digitalasset.canton.console.CommandFailure: Command execution failed.\n"
            )
            return text + detail
        if isinstance(error, ArgumentError):
            return f"Error: {error}\n" + detail
        if isinstance(error, NameError):
            return self._name_error(error) + detail
        if isinstance(error, CantonError):
            java = getattr(error, "java_exception", None)
            if java:
                return f"{java}: {getattr(error, 'message', error.cause)}\n" + detail
            return f"ERROR {CONSOLE_LOGGER} - {error.render()}\n" + detail
        if isinstance(error, NoSuchElement):
            return f"java.util.NoSuchElementException: {error}\n" + detail
        java = getattr(error, "java_exception", None)
        if isinstance(java, str):  # an exception Canton's console throws as such (its JVM class name)
            return f"{java}: {error}\n" + detail
        if isinstance(error, AttributeError):
            return f"Error: {error}{self._attribute_hint(error)}\n" + detail
        if isinstance(error, TypeError):
            return f"Error: {error}\n" + detail
        return f"Error: {type(error).__name__}: {error}\n" + detail

    def _attribute_hint(self, error: AttributeError) -> str:
        name = getattr(error, "name", None)
        obj = getattr(error, "obj", None)
        if not name or obj is None:
            return ""
        options = [n for n in dir(obj) if not n.startswith("_")]
        close = difflib.get_close_matches(name, options, n=3)
        if close:
            return "; did you mean " + " or ".join(close) + "?"
        return ""

    def _name_error(self, error: NameError) -> str:
        name = getattr(error, "name", None)
        if not name:  # a NameError raised by hand, not by a lookup
            return f"Error: NameError: {error}\n"
        close = difflib.get_close_matches(name, [k for k in self.namespace if not k.startswith("_")], n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        return f"Error: name '{name}' is not defined{hint}\n"

    def _syntax_error(self, error: SyntaxError, filename: str | None = None) -> str:
        from canton_console.console.scala_syntax import ScalaSyntaxError

        if isinstance(error, ScalaSyntaxError):
            return f"Error: {error}\n"
        where = f" (line {error.lineno}, column {error.offset})" if error.lineno else ""
        if filename:
            where = f" ({filename}:{error.lineno})"
        return f"Error: syntax error: {error.msg}{where}\n"

    def is_complete(self, source: str) -> bool:
        """Whether an input is a complete step (or needs more lines), for line-by-line input. Never
        raises: an input it cannot judge is complete, and running it reports the problem."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return self._is_complete(source)
        except Exception:  # noqa: BLE001 - RecursionError, MemoryError, ValueError from a parser
            return True

    def _is_complete(self, source: str) -> bool:
        import codeop

        from canton_console.console.scala_syntax import ScalaSyntaxError, detect_syntax, translate

        if not source.strip():
            return True
        syntax = self.syntax if self.syntax != "auto" else detect_syntax(source)
        if syntax == "scala" and not (self.syntax == "auto" and _starts_with_python_keyword(source)):
            try:
                translate(source)
                return True
            except ScalaSyntaxError as e:
                return not e.incomplete
        try:
            return codeop.compile_command(source, "<input>", "exec") is not None
        except (SyntaxError, ValueError, OverflowError):
            return True


def internal_error(error: BaseException, debug: bool = False) -> str:
    """The console's last guard (REPL, piped input): an error that escaped the interpreter, one line."""
    text = f"Error: internal error: {_describe_exception(error)}\n"
    return text + ("".join(traceback.format_exception(error)) if debug else "")


def _describe_exception(error: BaseException) -> str:
    try:
        message = str(error)
    except Exception:  # noqa: BLE001 - its __str__ raises too
        message = "(its message could not be shown)"
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _parse_translation(python: str, filename: str, first_line: int) -> ast.Module:
    """Parse the translator's Python; a limit of Python's parser is reported as the input's nesting."""
    from canton_console.console.scala_syntax import ScalaSyntaxError

    try:
        tree = ast.parse(python, filename=filename)
    except SyntaxError as e:
        if "too many nested" in str(e.msg) or "too complex" in str(e.msg):
            raise RecursionError(e.msg) from None
        raise ScalaSyntaxError(f"the input could not be translated: {e.msg}", first_line, 1) from None
    ast.increment_lineno(tree, first_line - 1)
    return tree


def by_name_thunks(tree: ast.AST) -> None:
    """Canton's by-name arguments in Python-valid input, read as Canton reads them:
    ``utils.retry_until_true(participant1.health.is_running())`` passes the condition, not its value
    once. In a call of a method with by-name parameters (``BY_NAME_METHODS``), an argument at a
    by-name position that contains a call (and is not already a function) becomes ``lambda: arg``."""
    from canton_console.console.scala_syntax import BY_NAME_METHODS, snake_case

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        method = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else None
        positions = BY_NAME_METHODS.get(method or "")
        if not positions:
            continue
        names = {p for p in positions if isinstance(p, str)}
        names |= {snake_case(p) for p in names}
        for index, arg in enumerate(node.args):
            if index in positions and _wants_thunk(arg):
                node.args[index] = _thunk(arg)
        for kw in node.keywords:
            if kw.arg is not None and (kw.arg in names or snake_case(kw.arg) in names) and _wants_thunk(kw.value):
                kw.value = _thunk(kw.value)


def _wants_thunk(arg: ast.expr) -> bool:
    if isinstance(arg, (ast.Lambda, ast.Starred)):
        return False
    return any(isinstance(n, ast.Call) for n in ast.walk(arg))


def _thunk(arg: ast.expr) -> ast.Lambda:
    empty = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    return ast.copy_location(ast.Lambda(args=empty, body=arg), arg)


def _starts_with_python_keyword(source: str) -> bool:
    import keyword

    words = source.lstrip().split(None, 1)
    head = words[0].split("(")[0] if words else ""
    return keyword.iskeyword(head) and head not in ("import", "None", "True", "False")


class _Capture:
    """Collect what commands print to stdout during a step, so outputs stay in order."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._saved = None

    def __enter__(self):
        self._saved = sys.stdout
        sys.stdout = self._buffer
        return self

    def __exit__(self, *exc) -> None:
        sys.stdout = self._saved

    def text(self) -> str:
        return self._buffer.getvalue()


CONTINUATION_STARTS = (".", "&&", "||", "+", "*", "/", "%", "==", "!=", ">", "<", "->", "=>", "}", ")")


def split_statements(text: str, is_complete) -> list[tuple[int, str]]:
    """Top-level statements of a script with their first line: lines accumulate until the input is
    complete and the next line does not continue it (a line starting with ``.`` or an operator)."""
    lines = text.splitlines()
    result: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for i, line in enumerate(lines):
        if not buffer:
            if not line.strip():
                continue
            start = i + 1
        buffer.append(line)
        source = "\n".join(buffer)
        if not is_complete(source):
            continue
        following = next((line.strip() for line in lines[i + 1 :] if line.strip() and not line.strip().startswith("//")), "")
        if following.startswith(CONTINUATION_STARTS):
            continue
        result.append((start, source))
        buffer = []
    if buffer and "\n".join(buffer).strip():
        result.append((start, "\n".join(buffer)))
    return result
