"""What a function does with each of its parameters, read with the stdlib `ast` so that callers
in other modules can use it: the methods it calls on a parameter or on one of its streams, whether
it keeps the parameter or hands it to code that is not summarised ("store": then anything may
happen to it), and whether the parameter becomes a shell command.

A parameter handed to another function of the same module is followed through that function's
own effects (a bounded fixed point). Handed to a function imported from another module, it is
recorded as a forward, which the project index resolves against that module's summary (see
project/forwards.py; a name no checked module defines leaves it stored). Handed to anything
else, it is stored."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

STORE = "store"
# Methods whose call on a parameter (or on its stdin/stdout/stderr) the rules care about.
# (Not `get()`: no rule needs it from a helper, and `.get(` is in most functions' text.)
EFFECT_METHODS = frozenset(
    {
        "write",
        "writelines",
        "drain",
        "close",
        "wait_closed",
        "write_eof",
        "wait",
        "communicate",
        "task_done",
        "acquire",
        "release",
        "kill",
        "terminate",
        "send_signal",
    }
)
READ_METHODS = frozenset({"read", "readline", "readexactly", "readuntil", "readchunk"})
STREAMS = ("stdin", "stdout", "stderr")
SHELLS = frozenset(
    {
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "/bin/sh",
        "/bin/bash",
        "/usr/bin/bash",
        "/bin/zsh",
        "/bin/dash",
    }
)
_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.GeneratorExp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# At most this many rounds of following parameters into the module's other functions.
_ROUNDS = 4


@dataclass
class ParamUses:
    """One function's direct uses of its parameters, before following its callees."""

    params: tuple[str, ...]
    kwonly: tuple[str, ...]
    effects: dict[str, set[str]] = field(default_factory=dict)
    # (parameter, stream prefix "" or "stdout.", callee of this module, argument key)
    passes: list[tuple[str, str, str, int | str]] = field(default_factory=list)
    # (parameter, stream prefix, imported callee's absolute dotted name, argument key)
    forwards: set[tuple[str, str, str, int | str]] = field(default_factory=set)
    shell: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, param: str, effect: str) -> None:
        self.effects.setdefault(param, set()).add(effect)

    def parameter(self, key: int | str) -> str | None:
        if isinstance(key, int):
            return self.params[key] if 0 <= key < len(self.params) else None
        return key if key in self.params or key in self.kwonly else None


def parameter_uses(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    text: str,  # of the body
    qualify: Callable[[ast.expr], str | None],
    module_functions: frozenset[str],
    calls_own: Callable[[str], bool],
    bound: bool,
) -> ParamUses | None:
    """None when no parameter can matter: the function has none, or its text never calls a
    method that matters on one, iterates or enters one, or hands one to the module's functions
    or to a subprocess (every parameter then counts as stored). Walking every function costs
    more than parsing: the text decides which parameters are worth following; the others, and
    a method's `self`, count as stored."""
    args = node.args
    params = tuple(a.arg for a in (*args.posonlyargs, *args.args))
    kwonly = tuple(a.arg for a in args.kwonlyargs)
    candidates = [*params[1:], *kwonly] if bound else [*params, *kwonly]
    followed = {p for p in candidates if _touched(p, text)}
    handed = [p for p in candidates if p not in followed and _handed(p, text)]
    if handed and ("create_subprocess" in text or calls_own(text)):
        followed.update(handed)
    if not followed:
        return None
    uses = ParamUses(params, kwonly)
    for param in (*params, *kwonly):
        if param not in followed:
            uses.add(param, STORE)
    walker = _Walker(uses, followed, qualify, module_functions)
    walker.lines, walker.first = text.split("\n"), node.body[0].lineno
    for statement in node.body:
        walker.visit(statement, [node])
    return uses


_SUFFIXES = tuple(sorted(EFFECT_METHODS | READ_METHODS | {"std"}))


def _touched(param: str, text: str) -> bool:
    if f"{param}." in text and any(f"{param}.{suffix}" in text for suffix in _SUFFIXES):
        return True
    return f"in {param}" in text or f"with {param}" in text


def _handed(param: str, text: str) -> bool:
    """Maybe an argument of a call: `(param`, `, param` or `=param` (a keyword argument)."""
    return any(f"{before}{param}" in text for before in ("(", ", ", "="))


_CALLED_NAME = re.compile(r"(?<![\w.])(\w+)\(")


_NAME_BEFORE_CALL_OR_DOT = re.compile(r"(?<![\w.])(\w+)[.(]")


def own_calls(
    module_functions: frozenset[str], imported: frozenset[str] = frozenset()
) -> Callable[[str], bool]:
    """Does a text call one of the module's functions by name, or use an imported name (`f(`,
    `mod.f(`)?"""
    if not module_functions and not imported:
        return lambda _text: False

    def calls(text: str) -> bool:
        if not module_functions.isdisjoint(_CALLED_NAME.findall(text)):
            return True
        return bool(imported) and not imported.isdisjoint(_NAME_BEFORE_CALL_OR_DOT.findall(text))

    return calls


class _Walker:
    def __init__(
        self,
        uses: ParamUses,
        names: set[str],
        qualify: Callable[[ast.expr], str | None],
        module_functions: frozenset[str],
    ) -> None:
        self.uses = uses
        self.names = names
        self.lines: list[str] = []  # of the body, from line `first`
        self.first = 1
        self.qualify = qualify
        self.module_functions = module_functions

    def visit(self, node: ast.AST, parents: list[ast.AST]) -> None:
        if isinstance(node, ast.stmt) and not hasattr(node, "body") and not self.mentions(node):
            return  # a simple statement that never names a followed parameter
        if isinstance(node, ast.Name) and node.id in self.names:
            if isinstance(node.ctx, ast.Load):
                self.use(node, parents)
            else:  # rebound: what it holds afterwards is not followed
                self.uses.add(node.id, STORE)
            return
        if isinstance(node, _SCOPES):
            # A closure may use a parameter at any later time.
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name) and inner.id in self.names:
                    self.uses.add(inner.id, STORE)
            return
        parents.append(node)
        for child in ast.iter_child_nodes(node):
            self.visit(child, parents)
        parents.pop()

    def mentions(self, statement: ast.stmt) -> bool:
        start = statement.lineno - self.first
        end = (statement.end_lineno or statement.lineno) - self.first + 1
        segment = self.lines[max(start, 0) : end]
        return any(name in line for line in segment for name in self.names)

    def use(self, name: ast.Name, parents: list[ast.AST]) -> None:
        param = name.id
        parent = parents[-1]
        if isinstance(parent, ast.Attribute):
            if parent.attr in STREAMS:
                self.stream_use(param, parent, parents[:-1])
            else:
                self.method_use(param, "", parent, parents[:-1])
            return
        if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is name:
            self.uses.add(param, "read")
        elif isinstance(parent, ast.withitem) and parent.context_expr is name:
            self.uses.add(param, "acquire")
            self.uses.add(param, "release")
        elif isinstance(parent, (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Await)) or (
            isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert))
            and getattr(parent, "test", None) is name
        ):
            pass  # a test, or awaiting it: nothing handed over
        elif not self.argument(param, "", name, parents):
            self.uses.add(param, STORE)

    def stream_use(self, param: str, stream: ast.Attribute, parents: list[ast.AST]) -> None:
        parent = parents[-1]
        prefix = f"{stream.attr}."
        if isinstance(parent, ast.Attribute):
            self.method_use(param, prefix, parent, parents[:-1])
        elif isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is stream:
            self.uses.add(param, f"{prefix}read")
        elif isinstance(parent, (ast.Compare, ast.BoolOp, ast.UnaryOp)) or (
            isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert))
            and getattr(parent, "test", None) is stream
        ):
            pass
        elif not self.argument(param, prefix, stream, parents):
            self.uses.add(param, STORE)

    def method_use(
        self, param: str, prefix: str, attribute: ast.Attribute, parents: list[ast.AST]
    ) -> None:
        call = parents[-1]
        method = attribute.attr
        if not (isinstance(call, ast.Call) and call.func is attribute):
            if isinstance(call, (ast.Attribute, ast.Subscript)):
                self.uses.add(param, STORE)  # `writer.transport.abort()`: not followed
            return  # `proc.returncode`, `proc.pid`: a value, not the object
        if method in READ_METHODS:
            to_end = method == "read" and _reads_all(call)
            if to_end or any(isinstance(p, _LOOPS) for p in parents):
                self.uses.add(param, f"{prefix}read")
        elif method in EFFECT_METHODS:
            self.uses.add(param, f"{prefix}{method}")

    def argument(self, param: str, prefix: str, value: ast.expr, parents: list[ast.AST]) -> bool:
        """A parameter (or its stream) passed to a call: a shell sink, or one of the module's
        functions to follow. False for anything else (then it is stored)."""
        parent = parents[-1]
        key: int | str
        if isinstance(parent, ast.keyword) and len(parents) > 1:
            call = parents[-2]
            if parent.arg is None:
                return False
            key = parent.arg
        else:
            call = parent
            if not isinstance(call, ast.Call) or value not in call.args:
                return False
            index = call.args.index(value)
            if any(isinstance(a, ast.Starred) for a in call.args[:index]):
                return False
            key = index
        if not isinstance(call, ast.Call):
            return False
        callee = self.qualify(call.func)
        if not prefix and _is_shell_command(callee, call, key):
            sink = "create_subprocess_shell()" if key in (0, "cmd") else "`sh -c`"
            self.uses.shell.append((param, call.lineno, sink))
            return True
        if isinstance(call.func, ast.Name) and call.func.id in self.module_functions:
            self.uses.passes.append((param, prefix, call.func.id, key))
            return True
        if callee is not None and not callee.startswith("asyncio."):
            self.uses.forwards.add((param, prefix, callee, key))
            return True
        return False


def _is_shell_command(callee: str | None, call: ast.Call, key: int | str) -> bool:
    if callee == "asyncio.create_subprocess_shell":
        return key in (0, "cmd")
    if callee == "asyncio.create_subprocess_exec" and key == 2 and len(call.args) >= 3:
        shell, flag = call.args[0], call.args[1]
        return (
            isinstance(shell, ast.Constant)
            and shell.value in SHELLS
            and isinstance(flag, ast.Constant)
            and flag.value == "-c"
        )
    return False


def _reads_all(call: ast.Call) -> bool:
    if not call.args:
        return True
    first = call.args[0]
    return isinstance(first, ast.UnaryOp) and isinstance(first.op, ast.USub)


def compose(uses: Mapping[str, ParamUses]) -> None:
    """Follow parameters handed to the module's other functions (by top-level name), in place:
    the callee's effects on its parameter become the caller's on its own."""
    for _round in range(_ROUNDS):
        changed = False
        for caller in uses.values():
            for param, prefix, name, key in caller.passes:
                callee = uses.get(name)
                target = callee.parameter(key) if callee is not None else None
                if callee is None or target is None:
                    found = {STORE}
                else:
                    found = {prefixed(prefix, e) for e in callee.effects.get(target, set())}
                    found.discard("")
                    changed |= _take_forwards(caller, param, prefix, callee, target)
                    if not prefix:
                        for shelled, line, sink in callee.shell:
                            entry = (param, line, sink)
                            if shelled == target and entry not in caller.shell:
                                caller.shell.append(entry)
                                changed = True
                have = caller.effects.setdefault(param, set())
                if not found <= have:
                    have |= found
                    changed = True
        if not changed:
            return


def _take_forwards(
    caller: ParamUses, param: str, prefix: str, callee: ParamUses, target: str
) -> bool:
    """What `callee` hands to other modules' functions of its `target`, `caller` hands of its
    `param` (the project index follows it, see project/forwards.py). Whether any is new."""
    new = {
        (param, prefix or inner, other, at)
        for handed, inner, other, at in callee.forwards
        if handed == target and not (prefix and inner)  # not a stream's stream
    } - caller.forwards
    caller.forwards |= new
    return bool(new)


def prefixed(prefix: str, effect: str) -> str:
    """An effect on a parameter, as one on the caller's stream handed in its place (`read` on
    `proc.stdout` -> "stdout.read"); "" where that is no thing (a stream's stream)."""
    if not prefix or effect == STORE:
        return effect
    if "." in effect:  # a stream's stream: not a thing
        return ""
    return f"{prefix}{effect}"


Effects = tuple[tuple[str, tuple[str, ...]], ...]


def by_effect(effects: Mapping[str, set[str]]) -> Effects:
    """Parameter -> its effects, as a summary's field: (effect, parameters), both sorted (a
    stable text for the cache digest)."""
    grouped: dict[str, set[str]] = {}
    for param, done in effects.items():
        for effect in done:
            grouped.setdefault(effect, set()).add(param)
    return tuple(sorted((e, tuple(sorted(p))) for e, p in grouped.items()))


Forwards = tuple[tuple[str, str, str, int | str], ...]


def as_summary_fields(
    uses: ParamUses | None,
) -> tuple[Effects, tuple[tuple[str, int, str], ...], bool, Forwards]:
    """(effects, shell sinks, whether the parameters were followed, forwards) for a
    FunctionSummary."""
    if uses is None:
        return (), (), False, ()
    effects = by_effect(uses.effects)
    forwards = tuple(sorted(uses.forwards, key=repr))
    return effects, tuple(sorted(set(uses.shell))), True, forwards
