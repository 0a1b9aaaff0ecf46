"""The seam between the console and the nodes, checked on the source: the console reaches nodes only
through the admin services (canton_console.admin) and value types; the runtime knows nothing of
the console; every Canton command group is registered, none wired by hand."""

from __future__ import annotations

import ast
from pathlib import Path

import canton_console

PACKAGE = Path(canton_console.__file__).resolve().parent

# The one place that builds a runtime and binds it to a console (the composition root).
COMPOSITION_ROOTS = {
    "console/session.py": {"canton_console.runtime.environment", "canton_console.runtime.services", "canton_console.runtime.bootstrap"}
}


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # ``from canton_console.runtime import x`` imports the module canton_console.runtime.x
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def modules_under(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def crossings(folder: str, forbidden: tuple[str, ...], allowed: dict[str, set[str]] | None = None) -> list[str]:
    allowed = allowed or {}
    bad = []
    for path in modules_under(folder):
        ok = allowed.get(rel(path), set())
        for line, module in imports_of(path):
            if module.startswith(forbidden) and not any(module == a or module.startswith(a + ".") for a in ok):
                bad.append(f"{rel(path)}:{line} imports {module}")
    return bad


def test_console_reaches_nodes_only_through_the_admin_services():
    assert crossings("console", ("canton_console.runtime", "canton_console.store"), COMPOSITION_ROOTS) == []
    assert crossings("transcript", ("canton_console.runtime", "canton_console.store")) == []


def test_the_runtime_knows_nothing_of_the_console():
    assert crossings("runtime", ("canton_console.console", "canton_console.transcript", "canton_console.cli")) == []
    assert crossings("store", ("canton_console.console", "canton_console.transcript", "canton_console.runtime")) == []


def test_admin_interfaces_and_values_stand_on_values_only():
    upward = ("canton_console.console", "canton_console.runtime", "canton_console.store", "canton_console.transcript", "canton_console.cli")
    assert crossings("admin", upward) == []
    assert crossings("values", (*upward, "canton_console.admin")) == []


def private_names_defined(folder: str) -> set[str]:
    """The private attribute names the modules of ``folder`` define (assign, or declare in a class)."""
    names = set()
    for path in modules_under(folder):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and node.attr.startswith("_"):
                names.add(node.attr)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name.startswith("_"):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id.startswith("_"):
                names.add(node.id)
    return names


def test_no_console_module_reads_a_runtime_objects_private_attribute():
    """``sync._pending``, ``node._store``: a private attribute the console reads must be one that
    console code defines (its own objects' state), never one only the runtime defines."""
    console_defined = private_names_defined("console") | private_names_defined("pretty") | private_names_defined("values")
    runtime_only = private_names_defined("runtime") - console_defined
    bad = []
    for path in modules_under("console"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                if node.attr not in console_defined or node.attr in runtime_only:
                    bad.append(f"{rel(path)}:{node.lineno} reads .{node.attr}")
    assert bad == []


def test_the_runtime_does_not_parse_console_command_paths():
    """The runtime answers requests; which console command made one is not its business."""
    group_names = ("health", "parties", "synchronizers", "ledger_api", "topology", "traffic_control", "replication")
    for path in modules_under("runtime"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                parts = node.value.split(".")
                assert not (len(parts) > 2 and parts[1] in group_names), f"{rel(path)}:{node.lineno} names a console command: {node.value!r}"
            if isinstance(node, ast.FunctionDef):
                assert node.name != "refuse_reason", f"{rel(path)} decides per console command"


def test_every_group_is_registered_and_reachable(default_session):
    """Groups come from the registry: each registered group is reachable from its node and has help."""
    from canton_console.console.framework import Group, groups_of

    ns = default_session.console.namespace
    seen = 0
    stack = [ns[name] for name in ("participant1", "sequencer1", "mediator1")]
    while stack:
        obj = stack.pop()
        for name in groups_of(obj):
            child = getattr(obj, name)
            assert isinstance(child, Group), name
            assert child.help().strip(), f"{child._path} has no help"
            seen += 1
            stack.append(child)
    assert seen >= 12


def test_no_command_argument_is_silently_ignored(default_session):
    """Every argument of a console command is used by it, or declared Unsupported (refused by name
    when given a value other than what this console does)."""
    import inspect
    import textwrap

    from canton_console.console.framework import Group, Unsupported, commands_of, converter_of, groups_of
    from canton_console.console.references import NodeHelpView, NodeReference

    ns = default_session.console.namespace
    seen: set = set()
    ignored = []
    stack = [ns[name] for name in ("participant1", "sequencer1", "mediator1")] + [v for v in ns.values() if isinstance(v, Group)]
    while stack:
        obj = stack.pop()
        view = NodeHelpView(obj) if isinstance(obj, NodeReference) else obj
        for name, fn in commands_of(view).items():
            code = inspect.unwrap(fn)
            if code in seen or name == "help":
                continue
            seen.add(code)
            body = ast.parse(textwrap.dedent(inspect.getsource(code))).body[0]
            used = {n.id for n in ast.walk(ast.Module(body=body.body, type_ignores=[])) if isinstance(n, ast.Name)}
            for p in list(inspect.signature(code, eval_str=True).parameters.values())[1:]:
                if p.name not in used and not isinstance(converter_of(p.annotation), Unsupported):
                    ignored.append(f"{code.__qualname__}({p.name})")
        stack += [getattr(obj, g) for g in groups_of(view)]
    assert len(seen) > 60
    assert ignored == []
