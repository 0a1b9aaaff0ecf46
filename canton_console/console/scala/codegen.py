"""Python source generation from the Scala subset's syntax tree.

Every expression becomes one Python expression. Constructs that need statements (blocks with several
statements, lambdas whose body contains such a block) are *hoisted*: a ``def __cc_block_N()`` /
``def __cc_fn_N(params)`` is emitted just before the statement that uses it (or inside the enclosing
hoisted def, so closures see the right variables). Hoisted code only ever contains definitions, so moving
it earlier never changes evaluation order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from . import nodes as n
from .errors import ScalaSyntaxError
from .parser import is_python_name
from .runtime import snake_case

_NUMBER = re.compile(r"[0-9][0-9.e+\-]*")
_PLAIN_BINOPS = frozenset({"==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "&", "|", "^", "<<", ">>"})


def py_str(value: str) -> str:
    """A double-quoted Python string literal for ``value``."""
    out = ['"']
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


class CodeGen:
    def __init__(self, by_name_methods: Mapping[str, tuple[int | str, ...]]) -> None:
        self.by_name = by_name_methods
        self.n_defs = 0
        self.preludes: list[list[str]] = []

    # -- statements --------------------------------------------------------------------------------------
    def program(self, stmts: list) -> str:
        lines: list[str] = []
        for stmt in stmts:
            lines.extend(self.stmt(stmt))
        return "\n".join(lines) if lines else "pass"

    def stmt(self, stmt) -> list[str]:
        if isinstance(stmt, n.Import):
            return []
        prelude: list[str] = []
        self.preludes.append(prelude)
        try:
            if isinstance(stmt, n.ValDef):
                line = f"{stmt.name} = {self.expr(stmt.value)}"
            else:
                line = self.expr(stmt.expr)
        finally:
            self.preludes.pop()
        return prelude + [line]

    def emit_def(self, prefix: str, params: tuple[str, ...], body: list[str]) -> str:
        self.n_defs += 1
        name = f"{prefix}_{self.n_defs}"
        self.preludes[-1].append(f"def {name}({', '.join(params)}):")
        self.preludes[-1].extend("    " + line for line in body)
        return name

    def hoist(self, prefix: str, params: tuple[str, ...], stmts: tuple, result) -> str:
        body: list[str] = []
        for stmt in stmts:
            body.extend(self.stmt(stmt))
        if result is None:
            body.append("return None")
        else:
            prelude: list[str] = []
            self.preludes.append(prelude)
            try:
                code = self.expr(result)
            finally:
                self.preludes.pop()
            body.extend(prelude)
            body.append(f"return {code}")
        return self.emit_def(prefix, params, body)

    # -- expressions ---------------------------------------------------------------------------------------
    def expr(self, node) -> str:
        method = getattr(self, f"_{type(node).__name__}")
        return method(node)

    def _Name(self, node: n.Name) -> str:
        return node.id

    def _Literal(self, node: n.Literal) -> str:
        return node.python

    def _StringLit(self, node: n.StringLit) -> str:
        return py_str(node.value)

    def _Interpolated(self, node: n.Interpolated) -> str:
        pieces = [py_str(p) if isinstance(p, str) else f"__cc_show({self.expr(p)})" for p in node.parts]
        return '"".join((' + ", ".join(pieces) + (",))" if len(pieces) == 1 else "))") if pieces else '""'

    def _ScalaNone(self, node: n.ScalaNone) -> str:
        return "__cc_None"

    def _Unit(self, node: n.Unit) -> str:
        return "None"

    def _Placeholder(self, node: n.Placeholder) -> str:
        return node.param

    def _Duration(self, node: n.Duration) -> str:
        return f"__cc_duration({node.value}, {py_str(node.unit)})"

    def _Paren(self, node: n.Paren) -> str:
        # Every generated expression is atomic (a name, literal, call, or parenthesised), so grouping
        # parentheses are not needed; numbers used as attribute bases are wrapped by ``attr_base``.
        return self.expr(node.expr)

    def _Tuple(self, node: n.Tuple) -> str:
        return "__cc_tuple(" + ", ".join(self.expr(item) for item in node.items) + ")"

    def _Unary(self, node: n.Unary) -> str:
        operand = self.expr(node.operand)
        if node.op == "!":
            return f"(not {operand})"
        return f"({node.op}{operand})"

    def _Binary(self, node: n.Binary) -> str:
        left, right = self.expr(node.left), self.expr(node.right)
        op = node.op
        if op == "&&":
            return f"({left} and {right})"
        if op == "||":
            return f"({left} or {right})"
        if op == "->":
            return f"({left}, {right})"
        if op == "/":
            return f"__cc_div({left}, {right})"
        if op == "%":
            return f"__cc_mod({left}, {right})"
        if op == "++":
            return f"({left} + {right})"
        assert op in _PLAIN_BINOPS, op
        return f"({left} {op} {right})"

    def _If(self, node: n.If) -> str:
        cond, then = self.expr(node.cond), self.expr(node.then)
        orelse = "None" if node.orelse is None else self.expr(node.orelse)
        return f"({then} if {cond} else {orelse})"

    def _Lambda(self, node: n.Lambda) -> str:
        return self.function(node.params, node.body)

    def _Block(self, node: n.Block) -> str:
        if not node.stmts:
            return "None" if node.result is None else self.expr(node.result)
        return self.hoist("__cc_block", (), node.stmts, node.result) + "()"

    def _Select(self, node: n.Select) -> str:
        return f"__cc_sel({self.expr(node.obj)}, {py_str(node.name)})"

    def _Call(self, node: n.Call) -> str:
        fn = node.fn
        method: str | None
        if isinstance(fn, n.Select):
            method = fn.name
            base = self.attr_base(fn.obj)
            fn_code = f"{base}.{fn.name}" if is_python_name(fn.name) else f"__cc_attr({base}, {py_str(fn.name)})"
        else:
            method = fn.id if isinstance(fn, n.Name) else None
            fn_code = self.attr_base(fn)
        by_name = self.by_name.get(method, ()) if method else ()
        by_name_names = {p for p in by_name if isinstance(p, str)}
        by_name_names |= {snake_case(p) for p in by_name_names}
        items: list[tuple[str | None, str]] = []
        for index, arg in enumerate(node.args):
            if arg.name is None:
                lazy = index in by_name
                if arg.block and by_name and not lazy:
                    raise ScalaSyntaxError.unsupported(
                        f"several parameter lists ('{method}(...) {{ ... }}'); pass the block's "
                        f"expression as a named argument instead",
                        arg.line,
                        arg.column,
                    )
            else:
                lazy = arg.name in by_name_names or snake_case(arg.name) in by_name_names
            items.append((arg.name, self.by_name_arg(arg.value) if lazy else self.expr(arg.value)))
        needs_apply = False
        seen_named = False
        for name, _ in items:
            if name is None:
                needs_apply = needs_apply or seen_named
            else:
                seen_named = True
                needs_apply = needs_apply or not is_python_name(name)
        if needs_apply:
            rendered = ", ".join(f"({'None' if k is None else py_str(k)}, {v})" for k, v in items)
            return f"__cc_apply({fn_code}, [{rendered}])"
        rendered = ", ".join(v if k is None else f"{k}={v}" for k, v in items)
        return f"{fn_code}({rendered})"

    # -- helpers ----------------------------------------------------------------------------------------------
    def attr_base(self, obj) -> str:
        """``obj``'s code, fit to be followed by ``.name`` or ``(...)`` (``5.abs`` is not valid Python)."""
        code = self.expr(obj)
        return f"({code})" if _NUMBER.fullmatch(code) else code

    def function(self, params: tuple[str, ...], body) -> str:
        if isinstance(body, n.Block):
            if body.stmts:
                return self.hoist("__cc_fn", params, body.stmts, body.result)
            body = n.Unit() if body.result is None else body.result
        prelude: list[str] = []
        self.preludes.append(prelude)
        try:
            code = self.expr(body)
        finally:
            self.preludes.pop()
        if prelude:
            return self.emit_def("__cc_fn", params, prelude + [f"return {code}"])
        if params:
            return f"(lambda {', '.join(params)}: {code})"
        return f"(lambda: {code})"

    def by_name_arg(self, value) -> str:
        """A by-name argument: a function of no arguments evaluating ``value`` on each call."""
        if isinstance(value, n.Block) and value.stmts:
            return self.hoist("__cc_block", (), value.stmts, value.result)
        return self.function((), value)
