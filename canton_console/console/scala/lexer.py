"""Tokenizer for the console's Scala subset.

Produces a flat token list that already contains Scala's inferred statement separators (``NEWLINE``
tokens): a line break separates statements only when the token before it can end a statement, the token
after it can begin one, and the innermost open bracket is a brace (or none). So a line starting with ``.``
continues a method chain, a line ending in an infix operator, ``=``, ``=>``, ``,`` or ``.`` continues, and
line breaks inside ``(...)``/``[...]`` never separate (inside a ``{...}`` nested in parentheses they do
again). A line starting with an infix operator followed by a space (``&& b``) continues the previous line
too (Scala 3's leading-infix rule); ``-x`` at the start of a line begins a new statement.
"""

from __future__ import annotations

import attrs

from .errors import ScalaSyntaxError

# Token kinds
NAME = "name"  # alphanumeric or back-quoted identifier
KEYWORD = "keyword"  # Scala reserved word (including ``_``)
OP = "op"  # operator identifier or reserved symbol (``=``, ``=>``, ``:`` ...)
INT = "int"
FLOAT = "float"
STRING = "string"  # value is the decoded text (also for character literals)
INTERP = "interp"  # s"..." interpolated string; value is the raw text between the quotes
DELIM = "delim"  # ( ) [ ] { } , ; .
NEWLINE = "newline"  # inferred statement separator
EOF = "eof"

KEYWORDS = frozenset(
    """abstract case catch class def do else extends false final finally for forSome if implicit import
    lazy macro match new null object override package private protected return sealed super this throw
    trait try true type val var while with yield _""".split()
)

OP_CHARS = frozenset("!#%&*+-/:<=>?@\\^|~")
RESERVED_OPS = frozenset({"=", "=>", "<-", ":", "<:", ">:", "<%", "#", "@", "\u21d2"})
PREFIX_OPS = frozenset({"-", "+", "!", "~"})
OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {v: k for k, v in OPENERS.items()}

_CANNOT_BEGIN_KEYWORDS = frozenset({"catch", "else", "extends", "finally", "forSome", "match", "with", "yield"})
_CAN_END_KEYWORDS = frozenset({"this", "null", "true", "false", "return", "type", "_"})

# Scala's digits are ASCII (``str.isdigit`` would also take ``²`` or ``٣``, which ``int`` refuses).
DIGITS = frozenset("0123456789")
LONG_MAX = 2**63 - 1  # the largest Scala Long: larger integer literals do not compile

_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


@attrs.frozen
class Token:
    kind: str
    value: str  # source text; decoded text for STRING; normalised digits for INT/FLOAT
    start: int  # offset of the first character in the source
    end: int  # offset after the last character
    line: int  # 1-based
    column: int  # 1-based
    nl_before: bool = False  # a line break separates it from the previous token
    space_after: bool = False  # whitespace (or end of input) follows it directly

    def is_(self, kind: str, value: str | None = None) -> bool:
        return self.kind == kind and (value is None or self.value == value)

    def describe(self) -> str:
        if self.kind == EOF:
            return "end of input"
        if self.kind == NEWLINE:
            return "end of line"
        if self.kind == STRING:
            return "string literal"
        return f"'{self.value}'"


class _Positions:
    """Maps source offsets to (line, column)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.starts = [0]
        for i, ch in enumerate(source):
            if ch == "\n":
                self.starts.append(i + 1)

    def at(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo] + 1

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.source.find("\n", start)
        return self.source[start:] if end < 0 else self.source[start:end]


class Lexer:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = _Positions(source)
        self.tokens: list[Token] = []

    # -- errors ------------------------------------------------------------------------------------
    def error(self, message: str, offset: int, *, construct: str | None = None, incomplete: bool = False):
        if not message.startswith("Scala syntax error"):
            message = f"Scala syntax error: {message}"
        line, column = self.pos.at(offset)
        return ScalaSyntaxError(
            message, line, column, construct=construct, source_line=self.pos.line_text(line), incomplete=incomplete
        )

    def unsupported(self, construct: str, offset: int) -> ScalaSyntaxError:
        line, column = self.pos.at(offset)
        return ScalaSyntaxError.unsupported(construct, line, column, source_line=self.pos.line_text(line))

    # -- scanning ----------------------------------------------------------------------------------
    def tokenize(self) -> list[Token]:
        src, n = self.src, len(self.src)
        i = 0
        nl = False
        raw: list[Token] = []
        while i < n:
            c = src[i]
            if c == "\n":
                nl = True
                i += 1
                continue
            if c in " \t\r\f\v":
                i += 1
                continue
            if src.startswith("//", i):
                end = src.find("\n", i)
                i = n if end < 0 else end
                continue
            if src.startswith("/*", i):
                i, had_nl = self._block_comment(i)
                nl = nl or had_nl
                continue
            start = i
            if c == "`":
                end = src.find("`", i + 1)
                if end < 0 or "\n" in src[i:end] or end == i + 1:
                    raise self.error("unterminated back-quoted identifier", i)
                kind, value, i = NAME, src[i + 1 : end], end + 1
            elif c.isalpha() or c in "_$":
                while i < n and (src[i].isalnum() or src[i] in "_$"):
                    i += 1
                value = src[start:i]
                if i < n and src[i] == '"':
                    if value != "s" or src.startswith('"""', i):
                        raise self.unsupported(f'string interpolation ({value}"...")', start)
                    end = self._interpolated_end(i)
                    kind, value, i = INTERP, src[i + 1 : end], end + 1
                else:
                    kind = KEYWORD if value in KEYWORDS else NAME
            elif c in DIGITS:
                kind, value, i = self._number(i)
            elif c == '"':
                kind, value, i = self._string(i)
            elif c == "'":
                kind, value, i = self._char(i)
            elif c in "()[]{},;.":
                kind, value, i = DELIM, c, i + 1
            elif c in OP_CHARS or c == "\u21d2":
                if c == "\u21d2":
                    i += 1
                while i < n and src[i] in OP_CHARS and not (src.startswith("//", i) or src.startswith("/*", i)):
                    i += 1
                kind, value = OP, src[start:i]
                if value == "\u21d2":
                    value = "=>"
            else:
                raise self.error(f"unexpected character {c!r}", i)
            line, column = self.pos.at(start)
            raw.append(
                Token(kind, value, start, i, line, column, nl_before=nl and bool(raw),
                      space_after=i >= n or src[i] in " \t\r\n\f\v")
            )
            nl = False
        line, column = self.pos.at(n)
        raw.append(Token(EOF, "", n, n, line, column, nl_before=nl, space_after=True))
        self.tokens = self._infer_newlines(raw)
        return self.tokens

    def _interpolated_end(self, i: int) -> int:
        """The closing quote of ``s"..."`` starting at ``i`` (``${...}`` may hold quotes and braces)."""
        src, n = self.src, len(self.src)
        j = i + 1
        while j < n and src[j] != "\n":
            if src[j] == "\\":
                j += 2
                continue
            if src.startswith("${", j):
                depth, j = 1, j + 2
                while j < n and depth:
                    if src[j] == '"':
                        j = self._string(j)[2]
                        continue
                    depth += {"{": 1, "}": -1}.get(src[j], 0)
                    j += 1
                continue
            if src[j] == '"':
                return j
            j += 1
        raise self.error("unterminated string literal", i, incomplete=j >= n)

    def _block_comment(self, i: int) -> tuple[int, bool]:
        src, n = self.src, len(self.src)
        start, depth, had_nl = i, 0, False
        while i < n:
            if src.startswith("/*", i):
                depth += 1
                i += 2
            elif src.startswith("*/", i):
                depth -= 1
                i += 2
                if depth == 0:
                    return i, had_nl
            else:
                had_nl = had_nl or src[i] == "\n"
                i += 1
        raise self.error("unterminated comment '/*'", start, incomplete=True)

    def _number(self, i: int) -> tuple[str, str, int]:
        src, n = self.src, len(self.src)
        start = i
        if src.startswith(("0x", "0X"), i):
            i += 2
            while i < n and (src[i] in "0123456789abcdefABCDEF_"):
                i += 1
            digits = src[start + 2 : i].replace("_", "")
            if not digits:
                raise self.error("invalid hexadecimal literal", start)
            is_long = i < n and src[i] in "lL"
            if is_long:
                i += 1
            self._check_number_end(i, start)
            number = int(digits, 16)
            if number > LONG_MAX + 1:
                raise self.error(f"integer number too large: {src[start:i]}", start)
            value = str(number)
            return INT, f"__cc_long({value})" if is_long else value, i
        while i < n and (src[i] in DIGITS or src[i] == "_"):
            i += 1
        is_float = False
        if i + 1 < n and src[i] == "." and src[i + 1] in DIGITS:
            is_float = True
            i += 1
            while i < n and (src[i] in DIGITS or src[i] == "_"):
                i += 1
        if i < n and src[i] in "eE":
            j = i + 1
            if j < n and src[j] in "+-":
                j += 1
            if j < n and src[j] in DIGITS:
                is_float = True
                i = j
                while i < n and src[i] in DIGITS:
                    i += 1
        text = src[start:i].replace("_", "")
        is_long = False
        if i < n and src[i] in "fFdD":
            is_float = True
            i += 1
        elif i < n and src[i] in "lL" and not is_float:
            is_long = True
            i += 1
        self._check_number_end(i, start)
        if is_float:
            real = float(text)
            if real in (float("inf"), float("-inf")):
                raise self.error(f"numeric literal {src[start:i]!r} is out of range", start)
            return FLOAT, repr(real), i
        if len(text) > 1 and text.startswith("0"):
            raise self.error(f"invalid numeric literal {src[start:i]!r} (leading zero)", start)
        if len(text) > 19 or int(text) > LONG_MAX + 1:  # + 1: -9223372036854775808L
            raise self.error(f"integer number too large: {src[start:i]}", start)
        # A Long literal keeps its Scala type through a runtime helper (``res1: Long = 5``).
        return INT, f"__cc_long({int(text)})" if is_long else str(int(text)), i

    def _check_number_end(self, i: int, start: int) -> None:
        if i < len(self.src) and (self.src[i].isalnum() or self.src[i] == "_"):
            raise self.error(f"invalid numeric literal starting {self.src[start:i + 1]!r}", start)

    def _string(self, i: int) -> tuple[str, str, int]:
        src, n = self.src, len(self.src)
        start = i
        if src.startswith('"""', i):
            end = src.find('"""', i + 3)
            if end < 0:
                raise self.error('unterminated string literal \'"""\'', start, incomplete=True)
            while end + 3 < n and src[end + 3] == '"':  # """a"""" ends with the last three quotes
                end += 1
            return STRING, src[i + 3 : end], end + 3
        i += 1
        out: list[str] = []
        while True:
            if i >= n or src[i] == "\n":
                raise self.error("unterminated string literal", start, incomplete=i >= n)
            ch = src[i]
            if ch == '"':
                return STRING, "".join(out), i + 1
            if ch == "\\":
                decoded, i = self._escape(i)
                out.append(decoded)
                continue
            out.append(ch)
            i += 1

    def _escape(self, i: int) -> tuple[str, int]:
        src = self.src
        nxt = src[i + 1] if i + 1 < len(src) else ""
        if nxt in _ESCAPES:
            return _ESCAPES[nxt], i + 2
        if nxt == "u":
            j = i + 1
            while j < len(src) and src[j] == "u":
                j += 1
            digits = src[j : j + 4]
            if len(digits) == 4 and all(d in "0123456789abcdefABCDEF" for d in digits):
                return chr(int(digits, 16)), j + 4
            raise self.error("invalid unicode escape in string literal", i)
        raise self.error(f"invalid escape '\\{nxt}' in string literal", i)

    def _char(self, i: int) -> tuple[str, str, int]:
        src, n = self.src, len(self.src)
        if i + 1 < n and src[i + 1] == "\\":
            decoded, j = self._escape(i + 1)
            if j < n and src[j] == "'":
                return STRING, decoded, j + 1
        elif i + 2 < n and src[i + 2] == "'" and src[i + 1] not in "'\n":
            return STRING, src[i + 1], i + 3
        if i + 1 < n and (src[i + 1].isalpha() or src[i + 1] == "_"):
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            raise self.unsupported(f"symbol literals ({src[i:j]})", i)
        raise self.error("invalid character literal", i)

    # -- statement separators and bracket balance ----------------------------------------------------
    @staticmethod
    def can_end(tok: Token) -> bool:
        if tok.kind in (NAME, INT, FLOAT, STRING):
            return True
        if tok.kind == KEYWORD:
            return tok.value in _CAN_END_KEYWORDS
        return tok.kind == DELIM and tok.value in ")]}"

    @staticmethod
    def can_begin(tok: Token) -> bool:
        if tok.kind == EOF:
            return False
        if tok.kind == KEYWORD:
            return tok.value not in _CANNOT_BEGIN_KEYWORDS
        if tok.kind == DELIM:
            return tok.value in "({"
        if tok.kind == OP:
            if tok.value == "@":
                return True
            # a prefix operator glued to its operand begins a statement; any other operator continues
            return tok.value in PREFIX_OPS and not tok.space_after
        return True

    def _infer_newlines(self, raw: list[Token]) -> list[Token]:
        out: list[Token] = []
        regions: list[Token] = []  # open brackets
        for tok in raw:
            if tok.nl_before and out and (not regions or regions[-1].value == "{"):
                prev = out[-1]
                if prev.kind != NEWLINE and self.can_end(prev) and self.can_begin(tok):
                    out.append(Token(NEWLINE, "\n", tok.start, tok.start, tok.line, tok.column))
            if tok.kind == DELIM and tok.value in OPENERS:
                regions.append(tok)
            elif tok.kind == DELIM and tok.value in CLOSERS:
                if not regions:
                    raise self.error(
                        f"Scala syntax error: unbalanced parentheses: '{tok.value}' has no matching '{CLOSERS[tok.value]}'",
                        tok.start,
                        construct="unbalanced parentheses",
                    )
                opener = regions.pop()
                if OPENERS[opener.value] != tok.value:
                    raise self.error(
                        f"Scala syntax error: unbalanced parentheses: '{opener.value}' opened at line {opener.line}, column "
                        f"{opener.column} is closed by '{tok.value}'",
                        tok.start,
                        construct="unbalanced parentheses",
                    )
            elif tok.kind == EOF and regions:
                opener = regions[-1]
                raise self.error(
                    f"Scala syntax error: unbalanced parentheses: '{opener.value}' is never closed",
                    opener.start,
                    construct="unbalanced parentheses",
                    incomplete=True,
                )
            out.append(tok)
        return out


def tokenize(source: str) -> list[Token]:
    return Lexer(source).tokenize()
