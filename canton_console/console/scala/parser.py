"""Recursive-descent parser for the console's Scala subset (see ``scala_syntax`` for the subset)."""

from __future__ import annotations

import keyword

from . import nodes as n
from .errors import ScalaSyntaxError
from .lexer import (
    DELIM,
    EOF,
    FLOAT,
    INT,
    INTERP,
    KEYWORD,
    NAME,
    NEWLINE,
    OP,
    PREFIX_OPS,
    RESERVED_OPS,
    STRING,
    Token,
    _Positions,
)

# Scala duration suffixes (scala.concurrent.duration) -> canonical unit passed to ``__cc_duration``.
DURATION_UNITS: dict[str, str] = {}
for _canonical, _spellings in {
    "nanos": ("nano", "nanos", "nanosecond", "nanoseconds"),
    "micros": ("micro", "micros", "microsecond", "microseconds"),
    "millis": ("milli", "millis", "millisecond", "milliseconds"),
    "seconds": ("second", "seconds"),
    "minutes": ("minute", "minutes"),
    "hours": ("hour", "hours"),
    "days": ("day", "days"),
}.items():
    for _spelling in _spellings:
        DURATION_UNITS[_spelling] = _canonical

# Keywords outside the subset -> the construct named in the error.
KEYWORD_CONSTRUCTS = {
    "def": "'def' definitions",
    "var": "'var' (use val)",
    "match": "pattern matching ('match')",
    "case": "pattern matching ('case')",
    "class": "'class' definitions",
    "object": "'object' definitions",
    "trait": "'trait' definitions",
    "abstract": "'abstract' definitions",
    "sealed": "'sealed' definitions",
    "final": "'final' modifiers",
    "override": "'override' modifiers",
    "private": "'private' modifiers",
    "protected": "'protected' modifiers",
    "implicit": "implicits ('implicit')",
    "lazy": "'lazy val'",
    "new": "object construction with 'new'",
    "for": "'for' loops and comprehensions",
    "yield": "'for' comprehensions ('yield')",
    "while": "'while' loops",
    "do": "'do' loops",
    "try": "exception handling ('try')",
    "catch": "exception handling ('catch')",
    "finally": "exception handling ('finally')",
    "throw": "'throw'",
    "return": "'return'",
    "type": "'type' definitions",
    "package": "'package' clauses",
    "this": "'this'",
    "super": "'super'",
    "null": "'null'",
    "macro": "macros",
    "extends": "'extends'",
    "with": "'with'",
    "forSome": "existential types ('forSome')",
}

# How deeply an input may nest (brackets, blocks, lambdas, prefix operators), and how deep its tree may
# get counting chains too (``a.b.c``, ``f(x)(y)``, ``1 + 2 + 3``): console input never comes near; the
# limits keep the parser, the code generator and Python's compiler well inside their own.
MAX_NESTING = 64
MAX_DEPTH = 100
TOO_DEEP = "the input is nested too deeply"


SUPPORTED_BINOPS = frozenset(
    {"==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "&&", "||", "->", "&", "|", "^", "<<", ">>", "++"}
)


def op_precedence(op: str) -> int:
    """Scala's precedence of an infix operator, from its first character (higher binds tighter)."""
    c = op[0]
    if c == "|":
        return 2
    if c == "^":
        return 3
    if c == "&":
        return 4
    if c in "=!":
        return 5
    if c in "<>":
        return 6
    if c == ":":
        return 7
    if c in "+-":
        return 8
    if c in "*/%":
        return 9
    return 10


def is_assignment_op(op: str) -> bool:
    return op.endswith("=") and op not in ("<=", ">=", "!=") and not op.startswith("=") and op not in RESERVED_OPS


def is_python_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


class Parser:
    def __init__(self, source: str, tokens: list[Token], depth: int = 0) -> None:
        self.src = source
        self.pos = _Positions(source)
        self.toks = tokens
        self.i = 0
        self.ph_stack: list[list[str]] = []  # placeholder parameters collected per enclosing Expr
        self.n_params = 0
        self.depth = depth  # nesting levels open around the current position

    def enter(self, tok: Token) -> None:
        """One more level of nesting at ``tok``; refused beyond ``MAX_NESTING``."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.too_deep(tok, f"more than {MAX_NESTING} levels of brackets, blocks or operators")

    def check_chain(self, links: int, tok: Token) -> None:
        if self.depth + links > MAX_DEPTH:
            raise self.too_deep(tok, f"more than {MAX_DEPTH} levels counting member selections, calls and operators")

    def too_deep(self, tok: Token, detail: str) -> ScalaSyntaxError:
        return ScalaSyntaxError(
            f"{TOO_DEEP} ({detail})", tok.line, tok.column, construct="nesting depth",
            source_line=self.pos.line_text(tok.line),
        )

    # -- token access --------------------------------------------------------------------------------
    def peek(self, k: int = 0) -> Token:
        j = min(self.i + k, len(self.toks) - 1)
        return self.toks[j]

    def advance(self) -> Token:
        tok = self.toks[self.i]
        if tok.kind != EOF:
            self.i += 1
        return tok

    def at(self, kind: str, value: str | None = None) -> bool:
        return self.peek().is_(kind, value)

    def expect(self, kind: str, value: str | None, what: str) -> Token:
        if not self.at(kind, value):
            raise self.unexpected(self.peek(), what)
        return self.advance()

    def skip_separators(self) -> None:
        while self.at(NEWLINE) or self.at(DELIM, ";"):
            self.advance()

    # -- errors ----------------------------------------------------------------------------------------
    def error(self, message: str, tok: Token, *, construct: str | None = None) -> ScalaSyntaxError:
        return ScalaSyntaxError(
            message,
            tok.line,
            tok.column,
            construct=construct,
            source_line=self.pos.line_text(tok.line),
            incomplete=tok.kind == EOF,
        )

    def unsupported(self, construct: str, tok: Token) -> ScalaSyntaxError:
        return ScalaSyntaxError.unsupported(
            construct, tok.line, tok.column, source_line=self.pos.line_text(tok.line)
        )

    def unexpected(self, tok: Token, expected: str) -> ScalaSyntaxError:
        """The most helpful error for ``tok`` where ``expected`` was expected."""
        if tok.kind == KEYWORD and tok.value in KEYWORD_CONSTRUCTS:
            return self.unsupported(KEYWORD_CONSTRUCTS[tok.value], tok)
        if tok.kind == KEYWORD and tok.value in ("val", "import"):
            return self.unsupported(f"'{tok.value}' inside an expression (only as a statement)", tok)
        if tok.kind == OP:
            if tok.value == ":":
                return self.unsupported("type ascription ('expr: Type')", tok)
            if tok.value == "@":
                return self.unsupported("annotations ('@')", tok)
            if tok.value == "=":
                return self.unsupported("assignment with '=' (use val)", tok)
            if tok.value == "=>":
                return self.unsupported("this form of function literal ('=>')", tok)
            if is_assignment_op(tok.value):
                return self.unsupported(f"assignment operators ('{tok.value}')", tok)
        if tok.is_(DELIM, "["):
            return self.type_params_error(tok)
        if tok.kind == NAME and self.i > 0 and self.toks[self.i - 1].kind != NEWLINE:
            return self.unsupported(f"infix or postfix method calls without '.' ('{tok.value}')", tok)
        if tok.is_(KEYWORD, "_"):
            return self.unsupported("eta-expansion ('f _')", tok)
        if tok.kind == EOF:
            return self.error(f"Scala syntax error: unexpected end of input, expected {expected}", tok)
        return self.error(f"Scala syntax error: expected {expected}, found {tok.describe()}", tok)

    def type_params_error(self, tok: Token) -> ScalaSyntaxError:
        depth, j = 0, self.toks.index(tok)
        end = tok.end
        while j < len(self.toks):
            t = self.toks[j]
            if t.kind == DELIM and t.value in "([{":
                depth += 1
            elif t.kind == DELIM and t.value in ")]}":
                depth -= 1
                if depth == 0:
                    end = t.end
                    break
            j += 1
        text = " ".join(self.src[tok.start : end].split())
        return self.unsupported(f"type parameters ('{text}')", tok)

    def check_name(self, tok: Token, what: str = "identifier") -> str:
        name = tok.value
        if name.startswith("__cc_"):
            raise self.error(f"Scala syntax error: the {what} '{name}' is reserved by the console", tok)
        if not is_python_name(name):
            raise self.unsupported(f"the {what} '{name}' (not a valid Python name)", tok)
        return name

    # -- program and statements ------------------------------------------------------------------------
    def parse_program(self) -> list:
        stmts = self.parse_stmts(closing=None)
        if not self.at(EOF):
            raise self.unexpected(self.peek(), "end of input")
        return stmts

    def parse_stmts(self, closing: str | None) -> list:
        stmts: list = []
        while True:
            self.skip_separators()
            if self.at(EOF) or (closing is not None and self.at(DELIM, closing)):
                return stmts
            stmts.append(self.parse_stmt())
            tok = self.peek()
            if tok.kind == NEWLINE or tok.is_(DELIM, ";") or tok.kind == EOF:
                continue
            if closing is not None and tok.is_(DELIM, closing):
                continue
            raise self.unexpected(tok, "end of statement")

    def parse_stmt(self):
        tok = self.peek()
        if tok.is_(KEYWORD, "import"):
            return self.parse_import()
        if tok.is_(KEYWORD, "val"):
            return self.parse_val()
        if tok.kind == KEYWORD and tok.value in KEYWORD_CONSTRUCTS and tok.value not in ("this", "super", "null"):
            raise self.unsupported(KEYWORD_CONSTRUCTS[tok.value], tok)
        expr = self.parse_expr_ctx(top=True)
        if self.at(OP, "="):
            target = f"'{expr.id}'" if isinstance(expr, n.Name) else "a member"
            raise self.unsupported(f"assignment to {target} (use val)", self.peek())
        return n.ExprStmt(expr)

    def parse_import(self) -> n.Import:
        self.advance()
        names: list[str] = []
        while True:
            parts = [self.expect(NAME, None, "a package name").value]
            while self.at(DELIM, "."):
                self.advance()
                if self.at(NAME):
                    parts.append(self.advance().value)
                elif self.at(KEYWORD, "_") or self.at(OP, "*"):  # Scala 2's ``_``, Scala 3's ``*``
                    self.advance()
                    parts.append("_")
                    break
                elif self.at(DELIM, "{"):
                    self.advance()
                    prefix = ".".join(parts)
                    parts = []
                    while not self.at(DELIM, "}"):
                        sel = self.advance()
                        if not (sel.kind == NAME or sel.is_(KEYWORD, "_") or sel.is_(OP, "*")):
                            raise self.unexpected(sel, "an imported name")
                        entry = f"{prefix}.{'_' if sel.value == '*' else sel.value}"
                        if self.at(OP, "=>"):
                            self.advance()
                            target = self.advance()
                            if not (target.kind == NAME or target.is_(KEYWORD, "_")):
                                raise self.unexpected(target, "a name after '=>'")
                            entry += f"=>{target.value}"
                        names.append(entry)
                        if self.at(DELIM, ","):
                            self.advance()
                        elif not self.at(DELIM, "}"):
                            raise self.unexpected(self.peek(), "',' or '}'")
                    self.advance()
                    break
                else:
                    raise self.unexpected(self.peek(), "a name, '_' or '{' after '.'")
            if parts:
                names.append(".".join(parts))
            if not self.at(DELIM, ","):
                return n.Import(tuple(names))
            self.advance()

    def parse_val(self) -> n.ValDef:
        self.advance()
        tok = self.peek()
        if tok.kind != NAME or self.peek(1).is_(OP, "@") or self.peek(1).is_(DELIM, ","):
            if tok.kind == NAME or tok.is_(DELIM, "(") or tok.is_(KEYWORD, "_"):
                raise self.unsupported("pattern definitions ('val (a, b) = ...')", tok)
            raise self.unexpected(tok, "a name after 'val'")
        self.advance()
        name = self.check_name(tok, "val name")
        if self.at(OP, ":"):
            self.skip_type_annotation()
        if not self.at(OP, "="):
            raise self.unexpected(self.peek(), "'=' in the val definition")
        self.advance()
        return n.ValDef(name, self.parse_expr_ctx(top=True))

    def skip_type_annotation(self) -> None:
        """Skip ``: Type`` up to the ``=`` of a val definition (the type is dropped)."""
        self.advance()
        start = self.i
        while not self.at(OP, "="):
            tok = self.peek()
            if tok.kind in (EOF, NEWLINE) or tok.is_(DELIM, ";") or tok.is_(DELIM, "{"):
                raise self.unexpected(tok, "'=' after the type annotation")
            self.advance()
        if self.i == start:
            raise self.unexpected(self.peek(), "a type after ':'")

    # -- expressions -------------------------------------------------------------------------------------
    def new_param(self) -> str:
        self.n_params += 1
        return f"__x{self.n_params}"

    def parse_expr_ctx(self, top: bool = False):
        """Parse an Expr: the scope that binds the placeholders (``_``) it properly contains."""
        start = self.peek()
        self.ph_stack.append([])
        self.enter(start)
        try:
            node = self.parse_expr()
        finally:
            params = self.ph_stack.pop()
            self.depth -= 1
        if not params:
            return node
        if isinstance(node, n.Placeholder):
            # A bare ``_`` does not properly contain itself: it belongs to the enclosing Expr.
            if top or not self.ph_stack:
                raise self.unsupported("placeholder '_' outside of a function argument", start)
            self.ph_stack[-1].extend(params)
            return node
        return n.Lambda(tuple(params), node)

    def parse_expr(self):
        if self.is_lambda_start():
            return self.parse_lambda()
        if self.at(KEYWORD, "if"):
            return self.parse_if()
        return self.parse_infix(0)

    def matching_close(self, j: int) -> int:
        depth = 0
        while j < len(self.toks):
            t = self.toks[j]
            if t.kind == DELIM and t.value in "([{":
                depth += 1
            elif t.kind == DELIM and t.value in ")]}":
                depth -= 1
                if depth == 0:
                    return j
            j += 1
        return len(self.toks) - 1

    def is_lambda_start(self) -> bool:
        tok = self.peek()
        if tok.kind == NAME or tok.is_(KEYWORD, "_"):
            return self.peek(1).is_(OP, "=>")
        if tok.is_(DELIM, "("):
            j = self.matching_close(self.i)
            return j + 1 < len(self.toks) and self.toks[j + 1].is_(OP, "=>")
        return False

    def parse_lambda_params(self) -> tuple[str, ...]:
        params: list[str] = []
        if self.at(DELIM, "("):
            self.advance()
            while not self.at(DELIM, ")"):
                params.append(self.parse_lambda_param())
                if self.at(OP, ":"):
                    self.advance()
                    depth = 0
                    while depth > 0 or not (self.at(DELIM, ",") or self.at(DELIM, ")")):
                        t = self.advance()
                        if t.kind == DELIM and t.value in "([":
                            depth += 1
                        elif t.kind == DELIM and t.value in ")]":
                            depth -= 1
                if self.at(DELIM, ","):
                    self.advance()
                elif not self.at(DELIM, ")"):
                    raise self.unexpected(self.peek(), "',' or ')' in the parameter list")
            self.advance()
        else:
            params.append(self.parse_lambda_param())
        self.expect(OP, "=>", "'=>'")
        if len(set(params)) != len(params):
            raise self.error("Scala syntax error: duplicate lambda parameter", self.peek())
        return tuple(params)

    def parse_lambda_param(self) -> str:
        tok = self.advance()
        if tok.is_(KEYWORD, "_"):
            return self.new_param()
        if tok.kind != NAME:
            raise self.unexpected(tok, "a parameter name")
        return self.check_name(tok, "parameter name")

    def parse_lambda(self) -> n.Lambda:
        params = self.parse_lambda_params()
        return n.Lambda(params, self.parse_expr_ctx())

    def parse_if(self) -> n.If:
        self.advance()
        self.expect(DELIM, "(", "'(' after 'if'")
        cond = self.parse_expr_ctx()
        self.expect(DELIM, ")", "')' after the condition")
        if self.at(NEWLINE):
            self.advance()
        then = self.parse_expr_ctx()
        orelse = None
        j = 0
        while self.peek(j).kind == NEWLINE or self.peek(j).is_(DELIM, ";"):
            j += 1
        if self.peek(j).is_(KEYWORD, "else"):
            for _ in range(j + 1):
                self.advance()
            orelse = self.parse_expr_ctx()
        return n.If(cond, then, orelse)

    def parse_infix(self, min_prec: int):
        left = self.parse_prefix()
        links = 0
        while True:
            tok = self.peek()
            if tok.kind != OP or tok.value in RESERVED_OPS:
                return left
            op = tok.value
            if is_assignment_op(op):
                raise self.unsupported(f"assignment operators ('{op}')", tok)
            prec = op_precedence(op)
            if prec < min_prec:
                return left
            if op.endswith(":") or op not in SUPPORTED_BINOPS:
                raise self.unsupported(f"operator '{op}'", tok)
            links += 1
            self.check_chain(links, tok)
            self.advance()
            right = self.parse_infix(prec + 1)
            left = n.Binary(op, left, right)

    def parse_prefix(self):
        tok = self.peek()
        if tok.kind == OP and tok.value in PREFIX_OPS:
            nxt = self.peek(1)
            self.advance()
            if tok.value == "-" and nxt.kind in (INT, FLOAT):
                self.advance()
                if nxt.value.startswith("__cc_long("):
                    return self.parse_postfix(n.Literal(f"__cc_long(-{nxt.value[len('__cc_long('):]}", numeric=True))
                return self.parse_postfix(n.Literal(f"(-{nxt.value})", numeric=True))
            self.enter(tok)
            try:
                return n.Unary(tok.value, self.parse_prefix())
            finally:
                self.depth -= 1
        return self.parse_postfix(self.parse_primary())

    def interpolated(self, tok):
        """Split ``s"..."`` into literal text (escapes decoded) and parsed ``$name`` / ``${expr}`` parts."""
        from .lexer import Lexer

        raw, parts, text, i = tok.value, [], [], 0
        while i < len(raw):
            ch = raw[i]
            if ch == "$" and raw.startswith("$$", i):
                text.append("$")
                i += 2
            elif ch == "$" and raw.startswith("${", i):
                depth, j = 1, i + 2
                while j < len(raw) and depth:
                    depth += {"{": 1, "}": -1}.get(raw[j], 0)
                    j += 1
                source = raw[i + 2 : j - 1]
                parts += ["".join(text)] if text else []
                text = []
                parts.append(Parser(source, Lexer(source).tokenize(), self.depth + 1).parse_expr())
                i = j
            elif ch == "$":
                j = i + 1
                while j < len(raw) and (raw[j].isalnum() or raw[j] == "_"):
                    j += 1
                if j == i + 1:
                    raise ScalaSyntaxError("'$' in an interpolated string must be followed by a name, {expression} or $", tok.line, tok.column)
                parts += ["".join(text)] if text else []
                text = []
                parts.append(n.Name(raw[i + 1 : j]))
                i = j
            elif ch == "\\":
                decoded, i = Lexer(raw)._escape(i)
                text.append(decoded)
            else:
                text.append(ch)
                i += 1
        if text:
            parts.append("".join(text))
        return n.Interpolated(tuple(parts))

    def parse_primary(self):
        tok = self.peek()
        if tok.kind in (INT, FLOAT):
            self.advance()
            return n.Literal(tok.value, numeric=True)
        if tok.kind == STRING:
            self.advance()
            return n.StringLit(tok.value)
        if tok.kind == INTERP:
            self.advance()
            return self.interpolated(tok)
        if tok.kind == NAME:
            self.advance()
            if tok.value == "None":
                return n.ScalaNone()
            if tok.value == "Nil":
                return n.Call(n.Name("Seq"), ())
            return n.Name(self.check_name(tok))
        if tok.kind == KEYWORD:
            if tok.value in ("true", "false"):
                self.advance()
                return n.Literal("True" if tok.value == "true" else "False")
            if tok.value == "_":
                self.advance()
                if not self.ph_stack:
                    raise self.unsupported("placeholder '_' outside of a function argument", tok)
                param = self.new_param()
                self.ph_stack[-1].append(param)
                return n.Placeholder(param)
            if tok.value == "if":
                return self.parse_if()
        if tok.is_(DELIM, "("):
            return self.parse_paren()
        if tok.is_(DELIM, "{"):
            return self.parse_block()
        raise self.unexpected(tok, "an expression")

    def parse_postfix(self, node):
        links = 0
        while True:
            tok = self.peek()
            links += 1
            if links > 1:
                self.check_chain(links - 1, tok)
            if tok.is_(DELIM, "."):
                self.advance()
                member = self.peek()
                if member.kind != NAME:
                    raise self.unexpected(member, "a member name after '.'")
                self.advance()
                if (
                    isinstance(node, n.Literal)
                    and node.numeric
                    and member.value in DURATION_UNITS
                    and not self.at(DELIM, "(")
                ):
                    node = n.Duration(node.python, DURATION_UNITS[member.value])
                else:
                    node = n.Select(node, member.value)
            elif tok.is_(DELIM, "("):
                node = n.Call(node, self.parse_args())
            elif tok.is_(DELIM, "{"):
                arg = n.Arg(None, self.parse_block(), block=True, line=tok.line, column=tok.column)
                if isinstance(node, n.Call):
                    # f(a) { b }: the block is the next argument of the same call
                    node = n.Call(node.fn, node.args + (arg,), has_block=True)
                else:
                    node = n.Call(node, (arg,), has_block=True)
            elif tok.is_(DELIM, "["):
                raise self.type_params_error(tok)
            elif tok.is_(KEYWORD, "match"):
                raise self.unsupported(KEYWORD_CONSTRUCTS["match"], tok)
            else:
                return node

    def parse_paren(self):
        self.advance()
        if self.at(DELIM, ")"):
            self.advance()
            return n.Unit()
        items = []
        while True:
            items.append(self.parse_expr_ctx())
            if self.at(DELIM, ","):
                self.advance()
                if self.at(DELIM, ")"):
                    break
                continue
            if self.at(DELIM, ")"):
                break
            raise self.unexpected(self.peek(), "',' or ')'")
        self.advance()
        return n.Paren(items[0]) if len(items) == 1 else n.Tuple(tuple(items))

    def parse_args(self) -> tuple[n.Arg, ...]:
        self.advance()
        args: list[n.Arg] = []
        seen: set[str] = set()
        while not self.at(DELIM, ")"):
            tok = self.peek()
            if tok.kind == NAME and self.peek(1).is_(OP, "="):
                self.advance()
                self.advance()
                if tok.value in seen:
                    raise self.error(f"Scala syntax error: parameter '{tok.value}' is specified twice", tok)
                seen.add(tok.value)
                args.append(n.Arg(tok.value, self.parse_expr_ctx()))
            else:
                args.append(n.Arg(None, self.parse_expr_ctx()))
            if self.at(DELIM, ","):
                self.advance()
            elif not self.at(DELIM, ")"):
                raise self.unexpected(self.peek(), "',' or ')' in the argument list")
        self.advance()
        return tuple(args)

    def parse_block(self):
        self.advance()
        self.skip_separators()
        if self.at(KEYWORD, "case"):
            raise self.unsupported(KEYWORD_CONSTRUCTS["case"], self.peek())
        params = self.parse_lambda_params() if self.is_lambda_start() else None
        stmts = self.parse_stmts(closing="}")
        self.expect(DELIM, "}", "'}'")
        if stmts and isinstance(stmts[-1], n.ExprStmt):
            block = n.Block(tuple(stmts[:-1]), stmts[-1].expr)
        else:
            block = n.Block(tuple(stmts), None)
        if params is not None:
            return n.Lambda(params, block)
        return block
