"""Canton's help layout, built from the commands' docstrings.

Items are grouped by topic: a heading, a line of ``-`` as long as the heading, then ``name -
summary`` lines sorted by name; "Top-level Commands" comes first, other topics alphabetically; a
final "Command Groups" block lists the subgroups. ``help("name")`` prints the name with its
signature, then the description.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from canton_console.console.framework import command_info, commands_of, groups_of, signature_text, summary_of
from canton_console.console.render import HelpText

TOP_LEVEL = "Top-level Commands"


def layout(items: Iterable[tuple[str, str, str]], groups: Iterable[tuple[str, str]] = ()) -> str:
    """``items`` are (topic, name, summary); ``groups`` are (name, summary)."""
    by_topic: dict[str, list[tuple[str, str]]] = {}
    for topic, name, summary in items:
        by_topic.setdefault(topic, []).append((name, summary))
    topics = sorted(by_topic, key=lambda t: (t != TOP_LEVEL, t))
    blocks = []
    for topic in topics:
        lines = [topic, "-" * len(topic)]
        lines += [f"{n} - {s}" for n, s in sorted(by_topic[topic])]
        blocks.append("\n".join(lines))
    groups = sorted(groups)
    if groups:
        blocks.append("\n".join(["Command Groups", "-" * len("Command Groups")] + [f"{n} - {s}" for n, s in groups]))
    return "\n\n".join(blocks)


def _group_items(obj: Any) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    items = []
    for name, fn in commands_of(obj).items():
        if name == "help":
            continue
        info = command_info(fn)
        topic = (info.get("topic") if info is not None else None) or TOP_LEVEL
        items.append((topic, name, summary_of(fn)))
    groups = [(name, meta["summary"]) for name, meta in groups_of(obj).items()]
    return items, groups


def help_for(obj: Any, name: str | None, path: str) -> HelpText:
    if name is not None and not isinstance(name, str):
        from canton_console.console.framework import ArgumentError

        raise ArgumentError(f"{path}.help: expects a command name such as help(\"health.ping\"), got {name!r}")
    if name is None:
        items, groups = _group_items(obj)
        return HelpText(layout(items, groups))
    return HelpText(describe(obj, name, path))


def describe(obj: Any, name: str, path: str) -> str:
    """Help for ``name`` (dotted names go into subgroups) or the misspelling message."""
    target = obj
    parts = name.split(".")
    for i, part in enumerate(parts):
        cmds = commands_of(target)
        grps = groups_of(target)
        last = i == len(parts) - 1
        if last and part in cmds:
            fn = cmds[part]
            doc = inspect.getdoc(fn) or ""
            return f"{part}{signature_text(fn)}\n{doc}".rstrip() + unsupported_note(fn)
        if part in grps:
            if last:
                sub = getattr(target, part)
                doc = inspect.getdoc(type(sub)) or grps[part]["summary"]
                return f"{part}\n{doc}"
            target = getattr(target, part)
            continue
        break
    return not_found(name, all_names(obj))


def unsupported_note(fn: Any) -> str:
    """The Canton arguments of a command that this console does not implement, and why."""
    from canton_console.console.framework import Unsupported, camel, converter_of

    notes = []
    for p in inspect.signature(fn, eval_str=True).parameters.values():
        conv = converter_of(p.annotation) if p.name != "self" else None
        if isinstance(conv, Unsupported):
            notes.append(f"  {camel(p.name)}: {conv.why or 'not implemented'}")
    return "\n\nNot supported by canton-console (leave at the default):\n" + "\n".join(notes) if notes else ""


def all_names(obj: Any, prefix: str = "", depth: int = 0) -> list[str]:
    names = [prefix + n for n in commands_of(obj) if n != "help"]
    if depth < 3:
        for g in groups_of(obj):
            names.append(prefix + g)
            names += all_names(getattr(obj, g), prefix + g + ".", depth + 1)
    return names


def not_found(name: str, candidates: list[str]) -> str:
    needle = name.lower().split(".")[-1]
    matches = [c for c in candidates if needle in c.lower()]
    if not matches:
        import difflib

        matches = difflib.get_close_matches(name, candidates, n=10, cutoff=0.6)
    if not matches:
        return f"Error: method {name} not found; check your spelling"
    return f"Error: method {name} not found; are you looking for one of the following?\n" + "\n".join(
        f"  {m}" for m in sorted(matches)[:10]
    )
