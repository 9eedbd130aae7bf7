"""Build a module's semantic facts in one walk over the libcst tree.

The walk records, per function, a control-flow skeleton (flow.py) whose steps hold the events
of each statement (events.py), plus the imports, the assignments that say what kind of object
a name holds, the aliases between names and the calls into the module's own functions. After
the walk, `_Resolver` resolves scopes, merges aliases and binds parameters to arguments
(objects.py), so a rule can ask "is this receiver an asyncio.Queue?" for any event."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar, cast

import libcst as cst

from asynclint.project.summaries import (
    ClassSummary,
    FunctionSummary,
    ModuleContext,
    resolve_relative,
)
from asynclint.semantics import asyncio_api as api
from asynclint.semantics import containers
from asynclint.semantics.containers import UNKNOWN, Stored
from asynclint.semantics.events import CallRole, Event, EventKind, NoneBranch, RawRef
from asynclint.semantics.expressions import call_argument, dotted, qualify, receiver_source
from asynclint.semantics.flow import (
    Block,
    Exit,
    Handler,
    If,
    Loop,
    Match,
    Step,
    Try,
)
from asynclint.semantics.launch import LaunchSite, launch_of
from asynclint.semantics.objects import Identity, ObjectModel, Origin
from asynclint.semantics.versions import outcome as version_outcome
from asynclint.semantics.walk import child_nodes
from asynclint.settings import Settings

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_COMPREHENSION_TYPES: frozenset[type[cst.CSTNode]] = frozenset(_COMPREHENSIONS)
# Expressions with nothing to walk inside.
_LEAVES: frozenset[type[cst.CSTNode]] = frozenset(
    {cst.Name, cst.SimpleString, cst.Integer, cst.Float}
)
_Display = cst.List | cst.Tuple | cst.Set | cst.Dict
_DISPLAYS: frozenset[type[cst.CSTNode]] = frozenset({cst.List, cst.Tuple, cst.Set, cst.Dict})
_SEQUENCE_DISPLAYS: frozenset[type[cst.CSTNode]] = frozenset({cst.List, cst.Tuple, cst.Set})
_SequenceDisplay = cst.List | cst.Tuple | cst.Set
_CATCH_ALL = frozenset(
    {"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"}
)


T = TypeVar("T")

# What an assigned value is: (kind, call, piped streams, constructor). Besides object kinds:
# "pair" (a (reader, writer) tuple), "alias" (another reference), "derived" (a loop's product
# whose kind is known once its receiver is known to be a loop).
Produced = tuple[
    api.ObjectKind | Literal["pair", "alias", "derived"], cst.CSTNode, frozenset[str], str
]
# What a `return` statement gives: a produced value, a reference, a pair of references.
Returned = (
    tuple[Literal["produced"], Produced]
    | tuple[Literal["ref"], RawRef]
    | tuple[Literal["pair"], RawRef, RawRef]
    | None
)
# (kind, piped streams) of what a function's calls return.
ReturnKind = tuple[api.ObjectKind | Literal["pair"], frozenset[str]]
# Decorators after which a function still returns what its body returns.
_RETURN_KEEPING_DECORATORS = frozenset(
    {
        "staticmethod",
        "classmethod",
        "property",
        "functools.cached_property",
        "functools.cache",
        "functools.lru_cache",
        "abc.abstractmethod",
        "typing.override",
        "typing_extensions.override",
    }
)
# What a container holds (see `_Resolver.give_element_kinds`): kind, piped streams, where it
# was made, and the literal key it is stored under.
_Entry = tuple[api.ObjectKind | None, frozenset[str], cst.CSTNode, str | None]
# A real function, or the pseudo-function of a module body or of a class body.
FunctionKind = Literal["function", "module", "class"]


@dataclass(eq=False, slots=True)
class FunctionInfo:
    """A function, or a pseudo-function for the module body and for each class body."""

    id: int
    name: str
    qualname: str
    node: cst.CSTNode
    parent: FunctionInfo | None
    kind: FunctionKind = "function"
    is_async: bool = False
    class_name: str | None = None  # for methods: the qualname of the class
    params: list[str] = field(default_factory=list)  # positional, in order (with self)
    kwonly: list[str] = field(default_factory=list)
    is_static: bool = False
    locals: set[str] = field(default_factory=set)
    imported: set[str] = field(default_factory=set)  # the locals bound by import statements
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    defs: dict[str, FunctionInfo] = field(default_factory=dict)  # nested defs by name
    classes: dict[str, str] = field(default_factory=dict)  # class name -> qualname
    body: Block = field(default_factory=Block)
    events: list[Event] = field(default_factory=list)
    # None tests of `if` statements (see flow.If.guard): resolved like events, kept apart so
    # that analyses which read every event do not see them.
    guards: list[Event] = field(default_factory=list)
    loop_nodes: dict[int, cst.CSTNode] = field(default_factory=dict)
    # References the function keeps (`self.x = obj`, `d[k] = obj`, `items = [obj]`): while
    # building the raw references, then (once resolved) their object roots.
    stored: list[object] = field(default_factory=list)

    @property
    def is_coroutine(self) -> bool:
        """An `async def` (not the pseudo-function of a module or class body)."""
        return self.kind == "function" and self.is_async

    @property
    def self_name(self) -> str | None:
        if self.class_name is None or self.is_static or not self.params:
            return None
        return self.params[0]


@dataclass(frozen=True, eq=False)
class HandlerInfo:
    """An `except` clause: where it is and what it catches."""

    function: FunctionInfo
    node: cst.ExceptHandler | cst.ExceptStarHandler
    try_node: cst.Try | cst.TryStar
    # Import-resolved dotted names of the caught types (`asyncio.CancelledError`), the name as
    # written when it is not imported (`ValueError`), None for other expressions; () = bare.
    caught: tuple[str | None, ...]


@dataclass
class ModuleFacts:
    module: cst.Module
    settings: Settings
    functions: list[FunctionInfo]
    objects: ObjectModel
    imports: dict[str, str]
    # Names bound exactly once at module level, to a constant string.
    module_constants: frozenset[str]
    # Per function: local name -> every value expression assigned to it.
    assignments: dict[int, dict[str, list[cst.BaseExpression]]]
    methods: dict[str, dict[str, FunctionInfo]]
    # id(statement) -> the statement after it in the same block.
    next_statement: dict[int, cst.CSTNode]
    handlers: list[HandlerInfo]
    # Every use of a name from asyncio: (function, node, dotted name as imported, not
    # normalized), including `from asyncio import X` (the node is the import alias).
    asyncio_uses: list[tuple[FunctionInfo, cst.CSTNode, str]]
    # What the other checked modules tell this one (project mode); None: module-local only.
    context: ModuleContext | None = None
    # Class qualname -> its bases, import-resolved (`pkg.base.Base`) or as written (`Local`).
    class_bases: dict[str, list[str | None]] = field(default_factory=dict)
    _summary: dict[int, frozenset[tuple[Identity, str]]] = field(default_factory=dict)
    # Results that several rules share (computed by the first rule that needs them).
    _memo: dict[Callable[[ModuleFacts], object], object] = field(default_factory=dict)

    def release(self) -> None:
        """Let go of everything, once the rules are done with the facts (they must not be
        used after). The facts are full of reference cycles (a function's record and its
        parent's, flow graphs with loops, the rules' closures over the facts) that hold the
        whole syntax tree: left to the cyclic collector, they cost it a trace of every node
        (about a tenth of a run); cut here, the tree is freed at once."""
        for function in self.functions:
            for name in FunctionInfo.__slots__:
                setattr(function, name, None)
        vars(self).clear()

    def memo(self, compute: Callable[[ModuleFacts], T]) -> T:
        """`compute(self)`, computed once per module by whichever rule asks first."""
        if compute not in self._memo:
            self._memo[compute] = compute(self)
        return cast(T, self._memo[compute])

    def kind(self, root: object) -> api.ObjectKind | None:
        return self.objects.kind(root)

    def events(self) -> Iterator[tuple[FunctionInfo, Event]]:
        for function in self.functions:
            for event in function.events:
                yield function, event

    def events_on(self, root: object) -> list[tuple[FunctionInfo, Event]]:
        """The events whose resolved object is `root`, in module order: what a per-object
        question needs to look at, without a scan of every event of the module."""
        return self.memo(_events_by_root).get(root, [])

    def targeted_calls(self) -> list[tuple[FunctionInfo, Event]]:
        """The calls of the module's own functions, in module order."""
        return self.memo(_targeted_calls)

    def calls_of(self, function: FunctionInfo) -> list[tuple[FunctionInfo, Event]]:
        """The calls of `function` in the module (with the function each is in), in module
        order: asked per function, a scan of every event each time would be quadratic."""
        return self.memo(_calls_by_target).get(id(function), [])

    def method_calls(self, kind: str, method: str) -> Iterator[tuple[FunctionInfo, Event]]:
        """The calls of `method` on objects of `kind`, in module order."""
        for function, event in self.memo(_calls_by_method).get(method, []):
            if self.kind(event.root) == kind:
                yield function, event

    def calls_made(self, function: FunctionInfo) -> frozenset[tuple[Identity, str]]:
        """(object, method) pairs called by `function` or any module function it calls,
        directly or through tasks, also `(None, method)` when the receiver's kind is unknown;
        an `async for` over an object counts as `(object, "read")`."""
        if not self._summary:
            self._summarize()
        return self._summary.get(function.id, frozenset())

    def calls_by(self, event: Event) -> frozenset[tuple[Identity, str]]:
        """What a call event calls on objects through its callee: a module function's
        `calls_made`, or what another checked module's summary says the callee does to the
        arguments it is given (`feed(proc)` -> (proc's stdin, "write"), ...)."""
        if event.kind != "call":
            return frozenset()
        if event.target is not None:
            return self.calls_made(event.target)
        return self.summary_calls(event)

    def call_summary(self, event: Event) -> FunctionSummary | None:
        """The summary of another checked module's function that a call event calls."""
        if self.context is None or event.kind != "call" or event.target is not None:
            return None
        if event.qualname is not None:
            found = self.context.functions.get(event.qualname)
            if found is not None:
                return found
        return self.inherited_method(event)

    def arguments(self, call: Event) -> list[Event]:
        """The escapes of a call's whole arguments (each with its `arg_key`)."""
        table = self.memo(_arguments_by_call)
        return table.get(id(call.node), [])

    def summary_calls(self, event: Event) -> frozenset[tuple[Identity, str]]:
        summary = self.call_summary(event)
        if summary is None or not summary.followed:
            return frozenset()
        found: set[tuple[Identity, str]] = set()
        for argument in self.arguments(event):
            param = summary.parameter(argument.arg_key) if argument.arg_key is not None else None
            if param is None:
                continue
            for effect in summary.effects_on(param):
                stream, _, method = effect.rpartition(".")
                if effect == "store":
                    continue
                root = argument.root
                if stream:
                    root = self.objects.find(("sub", root, stream))
                found.add((root, method))
        return frozenset(found)

    def _summarize(self) -> None:
        own: dict[int, set[tuple[Identity, str]]] = {}
        callees: dict[int, set[int]] = {}
        for function in self.functions:
            calls = own.setdefault(function.id, set())
            edges = callees.setdefault(function.id, set())
            for event in function.events:
                if event.kind == "iter" and event.root is not None:
                    calls.add((event.root, "read"))  # `async for` reads to the end
                if event.kind != "call":
                    continue
                if event.method:
                    # By its object, whose kind may be unknown where merged identities hide it
                    # (a helper's parameter bound to several streams), and as "something".
                    if event.root is not None:
                        calls.add((event.root, event.method))
                    if self.kind(event.root) is None:
                        calls.add((None, event.method))
                if event.target is not None:
                    edges.add(event.target.id)
                elif self.context is not None:
                    calls.update(self.summary_calls(event))
        summary = {key: set(value) for key, value in own.items()}
        changed = True
        while changed:
            changed = False
            for fid, edges in callees.items():
                for callee in edges:
                    extra = summary.get(callee, set()) - summary[fid]
                    if extra:
                        summary[fid] |= extra
                        changed = True
        self._summary = {key: frozenset(value) for key, value in summary.items()}

    def qualify(self, node: cst.CSTNode) -> str | None:
        """The import-resolved, normalized dotted name of `node` (`PIPE` -> `subprocess.PIPE`)."""
        return qualify(self.imports, node)

    def receiver_text(self, event: Event) -> str | None:
        """Source text of what the event's method call or bare `await` acts on (`writer`,
        `self._proc.stdin`, `lock`)."""
        return receiver_source(self.module, event.node)

    def is_catch_all(self, handler: cst.ExceptHandler) -> bool:
        return _catches_all(handler, self.imports)

    def imported_function(self, function: FunctionInfo, event: Event) -> FunctionSummary | None:
        """The summary of another checked module's function that a call event calls."""
        if self.context is None or event.qualname is None or event.target is not None:
            return None
        from asynclint.semantics.expressions import call_qualname

        qualname = call_qualname(function, event)
        return self.context.functions.get(qualname) if qualname else None

    def inherited_method(self, event: Event) -> FunctionSummary | None:
        """`self.method()` where `method` comes from a base class of another checked module."""
        callee = event.callee
        if event.target is not None or callee is None or callee[0] != "method":
            return None
        method = str(callee[2])
        for local, known in self.ancestry(str(callee[1])):
            if local is not None and method in self.methods.get(local, {}):
                return None  # defined in this module: not another module's method
            if known is not None and method in known.methods:
                return known.methods[method]
        return None

    def ancestry(self, class_name: str) -> Iterator[tuple[str | None, ClassSummary | None]]:
        return ancestry(self.context, self.class_bases, class_name)

    def joined_elsewhere(self) -> dict[Identity, tuple[str, int]]:
        """Queues that this module's functions receive from another module that join()s them:
        the queue's root -> (path, line) of that join()."""
        if self.context is None or not self.context.joined:
            return {}
        by_name = {f.qualname: f for f in self.functions if f.kind == "function"}
        found: dict[Identity, tuple[str, int]] = {}
        for name, param, path, line in self.context.joined:
            function = by_name.get(name)
            if function is not None and param in (*function.params, *function.kwonly):
                found.setdefault(self.objects.find(("var", function.id, param)), (path, line))
        return found


def _arguments_by_call(facts: ModuleFacts) -> dict[int, list[Event]]:
    table: dict[int, list[Event]] = {}
    for _function, event in facts.events():
        if event.kind == "escape" and event.arg_of is not None:
            table.setdefault(id(event.arg_of.node), []).append(event)
    return table


def _events_by_root(facts: ModuleFacts) -> dict[object, list[tuple[FunctionInfo, Event]]]:
    index: dict[object, list[tuple[FunctionInfo, Event]]] = {}
    for function, event in facts.events():
        if event.root is not None:
            index.setdefault(event.root, []).append((function, event))
    return index


def _targeted_calls(facts: ModuleFacts) -> list[tuple[FunctionInfo, Event]]:
    return [(f, e) for f, e in facts.events() if e.kind == "call" and e.target is not None]


def _calls_by_method(facts: ModuleFacts) -> dict[str, list[tuple[FunctionInfo, Event]]]:
    index: dict[str, list[tuple[FunctionInfo, Event]]] = {}
    for function, event in facts.events():
        if event.kind == "call" and event.method:
            index.setdefault(event.method, []).append((function, event))
    return index


def _calls_by_target(facts: ModuleFacts) -> dict[int, list[tuple[FunctionInfo, Event]]]:
    index: dict[int, list[tuple[FunctionInfo, Event]]] = {}
    for function, event in facts.targeted_calls():
        index.setdefault(id(event.target), []).append((function, event))
    return index


def ancestry(
    context: ModuleContext | None,
    class_bases: dict[str, list[str | None]],
    class_name: str,
    depth: int = 0,
) -> Iterator[tuple[str | None, ClassSummary | None]]:
    """The bases of a class of this module, depth first, left to right (the MRO in the usual
    cases): (this module's class, None) or (None, another checked module's class, which
    already holds what it inherits). Stops where a base is unknown."""
    if context is None or depth > 8:
        return
    for base in class_bases.get(class_name, []):
        known = context.classes.get(base) if base is not None else None
        if known is not None:
            yield None, known
            if not known.complete:
                return
        elif base is not None and base in class_bases:
            yield base, None
            yield from ancestry(context, class_bases, base, depth + 1)
        else:
            return


def build_facts(
    module: cst.Module, settings: Settings, context: ModuleContext | None = None
) -> ModuleFacts:
    builder = _Builder(module, settings.target_version, context)
    builder.build()
    return _Resolver(builder, settings).resolve()


def _catches_all(handler: cst.ExceptHandler, imports: dict[str, str]) -> bool:
    if handler.type is None:
        return True
    types = (
        [el.value for el in handler.type.elements]
        if isinstance(handler.type, cst.Tuple)
        else [handler.type]
    )
    for item in types:
        name = dotted(item)
        if name is not None and (name in _CATCH_ALL or imports.get(name, "") in _CATCH_ALL):
            return True
    return False


def _reraises(body: cst.BaseSuite) -> bool:
    if not isinstance(body, cst.IndentedBlock):
        return False
    for statement in body.body:
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, cst.Raise) for small in statement.body
        ):
            return True
    return False


def _is_true(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value == "True"
    if isinstance(node, cst.Integer):
        return node.value not in ("0", "0x0", "0o0", "0b0")
    return False


def _irrefutable(case: cst.MatchCase) -> bool:
    """`case _:` or `case name:` without a guard: the match always takes some case."""
    return (
        case.guard is None
        and isinstance(case.pattern, cst.MatchAs)
        and case.pattern.pattern is None
    )


def _body_statements(
    suite: cst.BaseSuite,
) -> tuple[cst.BaseStatement | cst.BaseSmallStatement, ...]:
    if isinstance(suite, cst.IndentedBlock):
        return tuple(suite.body)
    return tuple(suite.body)  # SimpleStatementSuite: small statements on the header line


class _Builder:
    """The single walk. Keeps its own scope, loop and try stacks instead of asking libcst for
    parent or scope metadata (both cost more than the parse itself)."""

    def __init__(
        self, module: cst.Module, target: tuple[int, int], context: ModuleContext | None = None
    ) -> None:
        self.module = module
        self.target = target
        self.context = context
        # Module names bound to a decided version test (`PY37 = sys.version_info >= (3, 7)`).
        self.version_flags: dict[str, bool] = {}
        # Return kinds of the module's own functions: what `return` gives, per function id,
        # and what the `-> X` annotation says; calls whose result kind depends on them.
        self.returns: list[tuple[FunctionInfo, Returned]] = []
        self.return_annotations: dict[int, api.ObjectKind] = {}
        # (the assigned references: one, or two for `a, b = ...`), callee, awaited, call.
        self.call_results: list[tuple[tuple[RawRef | None, ...], RawRef, bool, cst.Call]] = []
        self.class_bases: dict[str, list[str | None]] = {}
        self.ids = itertools.count()
        self.imports: dict[str, str] = {}
        self.functions: list[FunctionInfo] = []
        self.methods: dict[str, dict[str, FunctionInfo]] = {}
        self.class_stack: list[str] = []
        self.origins: list[tuple[RawRef, Origin, FunctionInfo]] = []
        self.aliases: list[tuple[RawRef, RawRef]] = []
        self.server_callbacks: list[tuple[RawRef, Event]] = []
        # `fut = loop.create_future()`: (target, receiver, kind, call), kept if `loop` is a loop.
        self.derived: list[tuple[RawRef, RawRef, api.ObjectKind, cst.CSTNode]] = []
        # What is stored into each container (see containers.py), and the references handed
        # to calls (an unknown callee may store anything into a container it is given).
        self.element_stores: list[tuple[RawRef, Stored]] = []
        self.passed: list[tuple[RawRef, Event, str | None]] = []
        # Which containers are dicts (True) or lists and sets (False), as their uses show:
        # iterating a dict gives its keys. And `target = list(source)`: (target, source,
        # whether it copies the values rather than what iterating gives).
        self.shapes: list[tuple[RawRef, bool]] = []
        self.copies: list[tuple[RawRef, RawRef, bool]] = []
        self.assignments: dict[int, dict[str, list[cst.BaseExpression]]] = {}
        self.module_assign_counts: dict[str, int] = {}
        self.module_string_names: set[str] = set()
        self.next_statement: dict[int, cst.CSTNode] = {}
        self.handlers: list[HandlerInfo] = []
        self.asyncio_uses: list[tuple[FunctionInfo, cst.CSTNode, str]] = []
        self.held: list[Event] = []
        # Per-function walking context.
        self.fn = self._new_function("<module>", "<module>", module, None, "module")
        self.step: Step | None = None
        self.stmt: cst.CSTNode | None = None
        self.loops: list[int] = []
        self.in_finally = 0
        self.in_handler = 0
        self.protected = 0
        self.repeated = 0

    # -- functions and scopes -------------------------------------------------------------

    def _new_function(
        self,
        name: str,
        qualname: str,
        node: cst.CSTNode,
        parent: FunctionInfo | None,
        kind: FunctionKind = "function",
    ) -> FunctionInfo:
        info = FunctionInfo(next(self.ids), name, qualname, node, parent, kind)
        self.functions.append(info)
        return info

    def build(self) -> None:
        self.fn.body = self.block(self.module.body)

    def _with_function(self, info: FunctionInfo, body: cst.BaseSuite) -> None:
        saved = (self.fn, self.step, self.stmt, self.loops, self.in_finally, self.in_handler)
        saved_flags = (self.protected, self.repeated, self.held)
        self.fn, self.step, self.stmt, self.loops, self.held = info, None, None, [], []
        self.in_finally = self.in_handler = self.protected = self.repeated = 0
        info.body = self.block(_body_statements(body))
        self.fn, self.step, self.stmt, self.loops, self.in_finally, self.in_handler = saved
        self.protected, self.repeated, self.held = saved_flags

    # -- statements -----------------------------------------------------------------------

    def block(self, statements: Sequence[cst.CSTNode]) -> Block:
        block = Block()
        previous: cst.CSTNode | None = None
        for statement in statements:
            if previous is not None:
                self.next_statement[id(previous)] = statement
            self.statement(statement, block)
            previous = statement
        return block

    def suite(self, suite: cst.BaseSuite | None) -> Block | None:
        if suite is None:
            return None
        return self.block(_body_statements(suite))

    def new_step(self, stmt: cst.CSTNode) -> Step:
        self.step = Step()
        self.stmt = stmt
        return self.step

    def statement(self, node: cst.CSTNode, block: Block) -> None:
        # Exact types, as in `expr`: isinstance() against libcst's ABC-based classes costs
        # several times more, on every statement of the module.
        if type(node) is cst.SimpleStatementLine:
            for small in node.body:
                self.small_statement(small, node, block)
        elif type(node) is cst.If:
            # A test of the Python version decided at the target: only the live branch exists.
            live = self.live_branch(node)
            if live is None:
                block.items.append(self.if_(node))
            elif isinstance(live, cst.If):
                block.items.append(self.if_(live))
            else:
                block.items.extend(self.block(live).items)
        elif type(node) is cst.For or type(node) is cst.While:
            block.items.append(self.loop(node))
        elif type(node) is cst.Try or type(node) is cst.TryStar:
            block.items.append(self.try_(node))
        elif type(node) is cst.With:
            step = self.new_step(node)
            entered: list[Event] = []
            for item in node.items:
                self.expr(item.item)
                value = item.item
                if isinstance(value, cst.Await):  # `with (await lock):`, the pre-3.9 idiom
                    self.mark_with_item(value)
                    value = value.expression
                enter = self.event(
                    "enter",
                    item.item,
                    ref=self.ref(value),
                    qualname=self.qualify(value.func) if isinstance(value, cst.Call) else None,
                    is_async_with=node.asynchronous is not None,
                )
                self.emit(enter)
                entered.append(enter)
                if item.asname is not None:
                    self.bind_target(item.asname.name, None)
                    entered_kind = api.SELF_ENTERING.get(enter.qualname or "")
                    as_ref = self.target_ref(item.asname.name)
                    if entered_kind is not None and as_ref is not None:
                        self.origins.append((as_ref, Origin(entered_kind, value), self.fn))
            block.items.append(step)
            self.held.extend(entered)
            try:
                block.items.extend(self.block(_body_statements(node.body)).items)
            finally:
                del self.held[len(self.held) - len(entered) :]
        elif type(node) is cst.FunctionDef:
            self.function_def(node)
        elif type(node) is cst.ClassDef:
            self.class_def(node)
        elif isinstance(node, cst.BaseSmallStatement):  # from a one-line suite
            self.small_statement(node, node, block)
        elif type(node) is cst.Match:
            step = self.new_step(node)
            self.expr(node.subject)
            cases = [self.block(_body_statements(case.body)) for case in node.cases]
            block.items.append(Match(step, cases, _irrefutable(node.cases[-1])))

    def small_statement(
        self, node: cst.BaseSmallStatement, line: cst.CSTNode, block: Block
    ) -> None:
        step = self.new_step(line)
        if type(node) is cst.Expr:
            self.expr(node.value)
            self.mark_call(node.value, "discarded")
        elif type(node) is cst.Assign:
            self.expr(node.value)
            for target in node.targets:
                self.assign(target.target, node.value)
            refs = [self.target_ref(target.target) for target in node.targets]
            self.mark_call(node.value, "assigned", refs[0], tuple(refs[1:]))
        elif type(node) is cst.AnnAssign:
            if node.value is not None:
                self.expr(node.value)
            self.annotated(node.target, node.annotation.annotation)
            if node.value is not None:
                self.assign(node.target, node.value)
                self.mark_call(node.value, "assigned", self.target_ref(node.target))
        elif type(node) is cst.AugAssign:
            self.expr(node.value)
            self.expr(node.target)
            if isinstance(node.target, cst.Name):
                self.fn.locals.add(node.target.value)
            augmented = self.ref(node.target)
            if augmented is not None:  # `tasks += more`
                self.element_stores.append((augmented, UNKNOWN))
        elif type(node) is cst.Return:
            if node.value is not None:
                self.record_return(node.value)
                self.expr(node.value)
                self.escape(node.value)
                self.mark_call(node.value, "returned")
            block.items.append(Exit("return", step))
            return
        elif type(node) is cst.Raise:
            if node.exc is not None:
                self.expr(node.exc)
            block.items.append(Exit("raise", step))
            return
        elif type(node) is cst.Break:
            block.items.append(Exit("break", step))
            return
        elif type(node) is cst.Continue:
            block.items.append(Exit("continue", step))
            return
        elif type(node) is cst.Import or type(node) is cst.ImportFrom:
            self.import_(node)
        elif type(node) is cst.Global:
            self.fn.globals.update(n.name.value for n in node.names)
        elif type(node) is cst.Nonlocal:
            # Looked up in the enclosing scopes, as unbound here; noted for what it keeps.
            self.fn.nonlocals.update(n.name.value for n in node.names)
        elif type(node) is cst.Assert or type(node) is cst.Del:
            for child in child_nodes(node):
                self.expr(child)
        if step.events:
            block.items.append(step)

    def mark_with_item(self, node: cst.Await) -> None:
        """The `await` of `with (await lock):` is part of entering the item, not a bare
        `await lock`."""
        for event in reversed(self.fn.events):
            if event.node is node and event.kind == "await":
                event.with_item = True
                return

    def mark_call(
        self,
        value: cst.BaseExpression,
        role: CallRole,
        target: RawRef | None = None,
        also: tuple[RawRef | None, ...] = (),
    ) -> None:
        """Record what happens to a call's result when the call is the whole expression (or an
        element of a display thrown away with it). `also`: the further targets of a chained
        assignment (`a = b = call()`), kept in `Event.also_assigned`."""
        if type(value) is cst.NamedExpr and role in ("discarded", "tested"):
            # `(t := call())` thrown away or only tested: what happens next is up to `t`.
            role, target, value = "assigned", self.target_ref(value.target), value.value
        if role == "discarded" and type(value) in _SEQUENCE_DISPLAYS:
            for element in cast(_SequenceDisplay, value).elements:
                if type(element) is cst.Element:
                    self.mark_call(element.value, role)
            return
        if type(value) is cst.Await:
            value = value.expression
        if type(value) is not cst.Call:
            return
        for event in reversed(self.fn.events):
            if event.node is value:
                event.role = role
                event.assigned = target
                if also:
                    event.also_assigned = also
                return

    def live_branch(
        self, node: cst.If
    ) -> tuple[cst.BaseStatement | cst.BaseSmallStatement, ...] | cst.If | None:
        """For an `if` that tests the Python version: the statements that run at the target
        version and after (none: an empty tuple), or the undecided `elif` that follows a
        dead test; None when the test itself is not decided."""
        decided = version_outcome(node.test, self.imports, self.target, self.version_flags)
        if decided is None:
            return None
        if decided:
            return _body_statements(node.body)
        if isinstance(node.orelse, cst.If):
            elif_ = self.live_branch(node.orelse)
            return node.orelse if elif_ is None else elif_
        return _body_statements(node.orelse.body) if node.orelse is not None else ()

    def mark_tested(self, test: cst.BaseExpression) -> None:
        """Calls whose result's truth decides a test: `if call():`, `not call()`, `a and call()`."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            self.mark_tested(test.expression)
        elif isinstance(test, cst.BooleanOperation):
            self.mark_tested(test.left)
            self.mark_tested(test.right)
        else:
            self.mark_call(test, "tested")  # a call, an awaited call or `(t := call())`

    def if_(self, node: cst.If) -> If:
        step = self.new_step(node)
        self.expr(node.test)
        guard = self.none_guard(node.test)
        self.mark_tested(node.test)
        body = self.block(_body_statements(node.body))
        orelse: Block | None = None
        if isinstance(node.orelse, cst.If):
            orelse = Block()
            self.statement(node.orelse, orelse)  # an `elif` on the version may be decided
        elif isinstance(node.orelse, cst.Else):
            orelse = self.block(_body_statements(node.orelse.body))
        return If(step, body, orelse, node.test, guard)

    def none_guard(self, test: cst.BaseExpression) -> Event | None:
        """`x is None` / `x is not None` / `x` / `not x` on an attribute such as
        `proc.stdout`: which branch runs when it is None."""
        none_branch: NoneBranch = "orelse"
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test, none_branch = test.expression, "body"
        elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            comparison = test.comparisons[0]
            if not _is_none(comparison.comparator):
                return None
            if isinstance(comparison.operator, cst.Is):
                none_branch = "body"
            elif not isinstance(comparison.operator, cst.IsNot):
                return None
            test = test.left
        if not isinstance(test, cst.Attribute):
            return None
        ref = self.ref(test)
        if ref is None:
            return None
        guard = self.event("guard", test, ref=ref, none_branch=none_branch)
        self.fn.guards.append(guard)
        return guard

    def loop(self, node: cst.For | cst.While) -> Loop:
        loop_id = next(self.ids)
        self.fn.loop_nodes[loop_id] = node
        step = self.new_step(node)
        infinite = False
        if isinstance(node, cst.For):
            self.expr(node.iter)
            if node.asynchronous is not None:
                self.iterate(node.iter, node)
            self.bind_target(node.target, None)
            if node.asynchronous is None:
                self.iterate_elements(node.target, node.iter)
        else:
            self.expr(node.test)
            self.mark_tested(node.test)
            infinite = _is_true(node.test)
        self.loops.append(loop_id)
        try:
            body = self.block(_body_statements(node.body))
        finally:
            self.loops.pop()
        orelse = self.block(_body_statements(node.orelse.body)) if node.orelse else None
        return Loop(step, body, orelse, infinite)

    def try_(self, node: cst.Try | cst.TryStar) -> Try:
        handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler] = node.handlers
        swallows = any(
            isinstance(h, cst.ExceptHandler)
            and _catches_all(h, self.imports)
            and not _reraises(h.body)
            for h in handlers
        )
        self.protected += swallows
        try:
            body = self.block(_body_statements(node.body))
        finally:
            self.protected -= swallows
        flow_handlers: list[Handler] = []
        self.in_handler += 1
        try:
            for handler in handlers:
                if handler.name is not None:
                    self.bind_target(handler.name.name, None)
                catches_all = isinstance(handler, cst.ExceptHandler) and _catches_all(
                    handler, self.imports
                )
                self.handlers.append(HandlerInfo(self.fn, handler, node, self.caught(handler)))
                flow_handlers.append(
                    Handler(catches_all, self.block(_body_statements(handler.body)), handler)
                )
        finally:
            self.in_handler -= 1
        orelse = self.block(_body_statements(node.orelse.body)) if node.orelse else None
        finalbody: Block | None = None
        if node.finalbody is not None:
            self.in_finally += 1
            try:
                finalbody = self.block(_body_statements(node.finalbody.body))
            finally:
                self.in_finally -= 1
        return Try(body, flow_handlers, orelse, finalbody)

    def caught(self, handler: cst.ExceptHandler | cst.ExceptStarHandler) -> tuple[str | None, ...]:
        """Import-resolved names of the caught types; () for a bare `except:`."""
        if handler.type is None:
            return ()
        types = (
            [el.value for el in handler.type.elements]
            if isinstance(handler.type, cst.Tuple)
            else [handler.type]
        )
        for item in types:
            self.record_asyncio_use(item)
        return tuple(self.qualify(t) or dotted(t) for t in types)

    def function_def(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            self.expr(decorator.decorator)
        name = node.name.value
        self.fn.locals.add(name)
        owner = self.fn
        in_class = owner.kind == "class"
        qualname = name if owner.kind == "module" else f"{owner.qualname}.{name}"
        info = self._new_function(name, qualname, node, owner)
        info.is_async = node.asynchronous is not None
        if in_class:
            info.class_name = owner.qualname
            info.is_static = any(
                dotted(d.decorator) in ("staticmethod", "classmethod") for d in node.decorators
            )
            self.methods.setdefault(owner.qualname, {})[name] = info
        owner.defs[name] = info
        params = node.params
        for param in (*params.posonly_params, *params.params):
            info.params.append(param.name.value)
        info.kwonly.extend(p.name.value for p in params.kwonly_params)
        everything = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                everything.append(extra)
        for param in everything:
            info.locals.add(param.name.value)
            if param.default is not None:
                self.expr(param.default)
            if param.annotation is not None:
                kind = self.annotation_kind(param.annotation.annotation)
                ref: RawRef = ("name", info.id, param.name.value)
                if kind is not None:
                    self.origins.append((ref, Origin(kind, param), info))
                self.element_annotation(ref, param.annotation.annotation)
        if node.returns is not None:
            returned = self.annotation_kind(node.returns.annotation)
            if returned is not None:
                self.return_annotations[info.id] = returned
        self._with_function(info, node.body)

    def class_def(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            self.expr(decorator.decorator)
        for arg in node.bases:
            self.expr(arg.value)
        owner = self.fn
        owner.locals.add(node.name.value)
        qualname = (
            node.name.value if owner.kind == "module" else f"{owner.qualname}.{node.name.value}"
        )
        owner.classes[node.name.value] = qualname
        self.class_bases[qualname] = [
            self.qualify(arg.value) or dotted(arg.value)
            for arg in node.bases
            if arg.keyword is None
        ]
        info = self._new_function(node.name.value, qualname, node, owner, "class")
        self._with_function(info, node.body)

    def import_(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted(alias.name)
                if full is None:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.imports[alias.asname.name.value] = full
                    self.fn.locals.add(alias.asname.name.value)
                    self.fn.imported.add(alias.asname.name.value)
                else:
                    top = full.split(".")[0]
                    self.imports[top] = top
                    self.fn.locals.add(top)
                    self.fn.imported.add(top)
            return
        if isinstance(node.names, cst.ImportStar):
            return
        module = dotted(node.module) if node.module is not None else None
        if node.relative:
            if self.context is None:
                return  # which package the dots name is known in project mode only
            module = resolve_relative(self.context, len(node.relative), module)
        if module is None:
            return
        for alias in node.names:
            name = alias.name.value if isinstance(alias.name, cst.Name) else None
            if name is None:
                continue
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.imports[local] = f"{module}.{name}"
            self.fn.locals.add(local)
            self.fn.imported.add(local)
            if module == "asyncio" or module.startswith("asyncio."):
                self.asyncio_uses.append((self.fn, alias, f"{module}.{name}"))

    # -- what names and attributes refer to -------------------------------------------------

    def qualify(self, node: cst.BaseExpression) -> str | None:
        """The import-resolved dotted name of an expression, normalized to asyncio's public API."""
        return qualify(self.imports, node)

    def ref(self, node: cst.BaseExpression) -> RawRef | None:
        """A reference for `name`, `self.attr` or `<ref>.stdin/stdout/stderr`, else None."""
        kind = type(node)  # exact types: called for most expressions (see dotted())
        if kind is cst.Name:
            name = cast(cst.Name, node).value
            if name in ("None", "True", "False"):
                return None  # `self._x = None` must not make every such attribute one object
            return ("name", self.fn.id, name)
        if kind is cst.Attribute:
            attribute = cast(cst.Attribute, node)
            attr = attribute.attr.value
            value = attribute.value
            owner = self.class_of_self(value)
            if owner is not None:
                return ("attr", owner, attr)
            if attr in api.PROCESS_STREAMS:
                base = self.ref(value)
                if base is not None:
                    return ("sub", base, attr)
        elif kind is cst.Subscript:
            subscript = cast(cst.Subscript, node)
            key = containers.subscript_key(subscript)
            base = self.ref(subscript.value) if key is not None else None
            if base is not None and key is not None:
                return ("elem", base, key)
        elif kind is cst.Call:
            element = containers.element_call(cast(cst.Call, node))
            base = self.ref(element[0]) if element is not None else None
            if base is not None and element is not None:
                return ("elem", base, element[1])
        return None

    # -- containers (see containers.py) ----------------------------------------------------

    def builtin_name(self, node: cst.BaseExpression) -> str | None:
        """`asyncio.gather` through the imports, or a plain name as written (`len`)."""
        qualname = self.qualify(node)
        if qualname is None and isinstance(node, cst.Name):
            return node.value
        return qualname

    def stored(self, value: cst.BaseExpression) -> Stored:
        """What storing `value` into a container puts there."""
        produced = self.produced(value)
        if produced is None:
            awaited = False
            while isinstance(value, cst.Await):
                value, awaited = value.expression, True
            callee = self.callable_ref(value.func) if isinstance(value, cst.Call) else None
            if callee is not None and isinstance(value, cst.Call):
                return Stored(call=(callee, awaited, value))
            return UNKNOWN
        kind, call, detail, _constructor = produced
        if kind == "alias":
            return Stored(ref=self.ref(value))
        if kind == "derived":
            assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
            receiver = self.ref(call.func.value)
            product = api.LOOP_PRODUCTS[call.func.attr.value]
            return Stored(derived=(receiver, product, call)) if receiver is not None else UNKNOWN
        if kind == "pair":
            return UNKNOWN
        # No constructor: the elements are many objects, not the one this call makes.
        return Stored(origin=Origin(kind, call, detail))

    def container_stores(self, value: cst.BaseExpression) -> list[Stored] | None:
        """What a container display, comprehension or constructor holds; None when `value`
        is none of them."""
        if _is_none(value):
            return []
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            return [
                self.stored(e.value) if isinstance(e, cst.Element) else UNKNOWN
                for e in value.elements
            ]
        if isinstance(value, cst.Dict):
            return [
                replace(self.stored(e.value), key=containers.literal_key(e.key))
                if isinstance(e, cst.DictElement)
                else UNKNOWN
                for e in value.elements
            ]
        if isinstance(value, (cst.ListComp, cst.SetComp)):
            return [self.stored(value.elt)]
        if isinstance(value, cst.DictComp):
            return [self.stored(value.value)]
        if not isinstance(value, cst.Call):
            return None
        name = self.builtin_name(value.func)
        if name in containers.EMPTY_CONTAINERS:
            return None if value.args else []  # `list(other)`: a copy (see store_into)
        if name != containers.DEFAULTDICT:
            return None
        if not value.args or value.args[0].keyword is not None or value.args[0].star:
            return [UNKNOWN]
        factory = value.args[0].value
        kind = api.CONSTRUCTORS.get(self.qualify(factory) or "")
        made = (
            Stored(origin=Origin(kind, factory))
            if kind is not None
            else self.stored(factory.body)
            if isinstance(factory, cst.Lambda)
            else UNKNOWN
        )
        return [made] if len(value.args) == 1 else [made, UNKNOWN]

    def store_into(self, target: cst.BaseExpression, value: cst.BaseExpression) -> bool:
        """`d[k] = v`, `d = {...}`, `tasks = list(other)`: record what the container holds.
        True when `value` was a container (nothing else to learn from the assignment)."""
        if isinstance(target, cst.Subscript):
            container = self.ref(target.value)
            key = containers.subscript_key(target)
            if container is not None and key is not None:
                literal = containers.literal_key(target.slice[0].slice.value)  # type: ignore[attr-defined]
                self.element_stores.append((container, replace(self.stored(value), key=literal)))
                if literal is not None:
                    self.shapes.append((container, True))
                return True
            return False
        if not isinstance(target, (cst.Name, cst.Attribute)):
            return False
        stores = self.container_stores(value)
        ref = self.target_ref(target) if stores is not None else None
        if ref is not None and stores is not None:
            self.element_stores.extend((ref, stored) for stored in stores)
            shape = self.container_shape(value)
            if shape is not None:
                self.shapes.append((ref, shape))
            return True
        if isinstance(value, cst.Call) and containers.is_copy(value):  # `d.copy()`
            source, ref = self.ref(value.func.value), self.target_ref(target)  # type: ignore[attr-defined]
            if source is not None and ref is not None:
                self.aliases.append((ref, source))
                return True
        copied = containers.iterated(value, self.builtin_name)
        if copied is not None and copied.container is not value and not copied.second:
            source, ref = self.ref(copied.container), self.target_ref(target)
            if source is not None and ref is not None:  # `tasks = list(self._tasks)`
                self.copies.append((ref, source, copied.values))
                self.shapes.append((ref, False))
                return True
        return False

    def container_shape(self, value: cst.BaseExpression) -> bool | None:
        """True for a dict display or constructor, False for a list, tuple or set."""
        if isinstance(value, (cst.Dict, cst.DictComp)):
            return True
        if isinstance(value, (cst.List, cst.Tuple, cst.Set, cst.ListComp, cst.SetComp)):
            return False
        name = self.builtin_name(value.func) if isinstance(value, cst.Call) else None
        if name in containers.MAPPING_TYPES:
            return True
        return False if name in containers.SEQUENCE_TYPES else None

    def iterate_elements(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        """`for t in tasks:` / `for k, lock in locks.items():`: the variable is an element."""
        found = containers.iterated(iterable, self.builtin_name)
        container = self.ref(found.container) if found is not None else None
        if found is None or container is None:
            return
        if found.values:
            self.shapes.append((container, True))
        if found.second:
            if not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != 2:
                return
            target = target.elements[1].value
        ref = self.target_ref(target) if isinstance(target, cst.Name) else None
        if ref is not None:  # iterating a dict gives its keys: see `_Resolver.element_kinds`
            key = "*" if found.values else containers.ITERATED
            self.aliases.append((ref, ("elem", container, key)))

    def element_annotation(self, ref: RawRef, annotation: cst.BaseExpression) -> None:
        """`locks: dict[str, asyncio.Lock]`, `tasks: set[asyncio.Task]`."""
        if not isinstance(annotation, cst.Subscript) or not annotation.slice:
            return
        outer = self.builtin_name(annotation.value)
        if outer in containers.MAPPING_TYPES:
            index = annotation.slice[-1].slice
        elif outer in containers.SEQUENCE_TYPES:
            index = annotation.slice[0].slice
        else:
            return
        self.shapes.append((ref, outer in containers.MAPPING_TYPES))
        if isinstance(index, cst.Index):
            kind = self.annotation_kind(index.value)
            if kind is not None:
                stored = Stored(origin=Origin(kind, annotation), declared=True)
                self.element_stores.append((ref, stored))

    def annotation_kind(self, node: cst.BaseExpression) -> api.ObjectKind | None:
        if isinstance(node, cst.Subscript):  # Queue[int], Optional[StreamWriter]
            outer = self.qualify(node.value)
            if outer in ("typing.Optional",) and len(node.slice) == 1:
                inner = node.slice[0].slice
                if isinstance(inner, cst.Index):
                    return self.annotation_kind(inner.value)
            return self.annotation_kind(node.value)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            sides = [node.left, node.right]
            kinds = {self.annotation_kind(s) for s in sides if not _is_none(s)}
            return kinds.pop() if len(kinds) == 1 else None
        qualname = self.qualify(node)
        return api.ANNOTATIONS.get(qualname) if qualname else None

    def annotated(self, target: cst.BaseExpression, annotation: cst.BaseExpression) -> None:
        kind = self.annotation_kind(annotation)
        ref = self.target_ref(target)
        if kind is not None and ref is not None:
            self.origins.append((ref, Origin(kind, annotation), self.fn))
        if ref is not None:
            self.element_annotation(ref, annotation)

    def target_ref(self, target: cst.BaseExpression) -> RawRef | None:
        if isinstance(target, cst.Name):
            self.fn.locals.add(target.value)
            if self.fn.kind == "class":  # `x: asyncio.Queue` in a class body describes self.x
                return ("attr", self.fn.qualname, target.value)
            return ("name", self.fn.id, target.value)
        return self.ref(target)

    def bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.bind_target(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self.bind_target(target.value, None)
        elif isinstance(target, cst.Name):
            self.fn.locals.add(target.value)
            if value is not None:
                self.assignments.setdefault(self.fn.id, {}).setdefault(target.value, []).append(
                    value
                )
        else:
            self.expr(target)

    def assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        self.bind_target(target, value)
        self.note_stored(target, value)
        if self.fn.kind == "module" and isinstance(target, cst.Name):
            name = target.value
            self.module_assign_counts[name] = self.module_assign_counts.get(name, 0) + 1
            if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
                self.module_string_names.add(name)
            decided = version_outcome(value, self.imports, self.target, self.version_flags)
            if decided is not None and self.module_assign_counts[name] == 1:
                self.version_flags[name] = decided
            else:
                self.version_flags.pop(name, None)  # rebound: no longer a fixed flag
        if self.store_into(target, value):
            return
        produced = self.produced(value)
        if produced is None:
            self.note_call_result(target, value)
            ref = self.target_ref(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
            if ref is not None:  # a container from unknown code holds anything
                self.element_stores.append((ref, UNKNOWN))
            return
        kind, call, detail, constructor = produced
        if kind == "pair":
            if isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2:
                for element, part in zip(target.elements, api.STREAM_PAIR, strict=True):
                    ref = self.target_ref(element.value)
                    if ref is not None:
                        self.origins.append((ref, Origin(part, call), self.fn))
            return
        ref = self.target_ref(target)
        if ref is None:
            return
        if kind == "alias":
            source = self.ref(value)
            if source is not None:
                self.aliases.append((ref, source))
            return
        if kind == "derived":
            assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
            receiver = self.ref(call.func.value)
            if receiver is not None:
                product = api.LOOP_PRODUCTS[call.func.attr.value]
                self.derived.append((ref, receiver, product, call))
            return
        self.origins.append((ref, Origin(kind, call, detail, constructor), self.fn))
        if kind == api.PROCESS:
            self.emit(self.event("create", call, ref=ref, pipes=detail))

    def note_stored(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """`self.x = obj`, `d[k] = obj`, `items = [obj]`, a global: the object is kept where
        other code may use it later (a helper that does so hands it over)."""
        kept: list[cst.BaseExpression] = []
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            kept = [element.value for element in value.elements]
        elif isinstance(value, cst.Dict):
            kept = [e.value for e in value.elements if isinstance(e, cst.DictElement)]
        elif isinstance(target, (cst.Attribute, cst.Subscript)) or (
            isinstance(target, cst.Name)
            and (self.fn.kind != "function" or target.value in self.fn.globals)
        ):
            kept = [value]
        for item in kept:
            ref = self.ref(item)
            if ref is not None:
                self.fn.stored.append(ref)

    def note_displayed(self, node: _Display) -> None:
        """`for s in (proc.stdout, proc.stderr):`, `[writer]`: an object in a display is used
        through the display, which is not followed (a helper doing so keeps it)."""
        for element in node.elements:
            values = [element.value] if not isinstance(element, cst.DictElement) else []
            if isinstance(element, cst.DictElement):
                values = [element.key, element.value]
            for value in values:
                ref = self.ref(value)
                if ref is not None:
                    self.fn.stored.append(ref)

    def produced(self, value: cst.BaseExpression) -> Produced | None:
        """What an assigned value is: (kind, call, detail, constructor) for asyncio objects,
        ("alias", ...) for another reference, ("pair", ...) for a (reader, writer) tuple."""
        awaited = False
        while isinstance(value, cst.Await):
            value, awaited = value.expression, True
        if isinstance(value, cst.Call):
            if not awaited and self.ref(value) is not None:
                return "alias", value, frozenset(), ""  # `locks.get(name)`
            qualname = self.qualify(value.func)
            runs = (
                isinstance(value.func, cst.Attribute)
                and value.func.attr.value == "run_until_complete"
            )
            if (runs or qualname == "asyncio.run") and value.args:
                return self.produced(cst.Await(value.args[0].value))
            if qualname in api.PASS_THROUGH and awaited and value.args:
                return self.produced(cst.Await(value.args[0].value))
            if qualname in api.CONSTRUCTORS:
                return api.CONSTRUCTORS[qualname], value, frozenset(), qualname
            if awaited and qualname in api.AWAITED_FACTORIES:
                return api.AWAITED_FACTORIES[qualname], value, self.piped_streams(value), qualname
            if awaited and qualname in api.STREAM_PAIR_FACTORIES:
                return "pair", value, frozenset(), qualname
            if self._is_loop_create_task(value):
                return api.TASK, value, frozenset(), "loop.create_task"
            imported = self.imported_summary(qualname)
            if imported is not None and imported.returns is not None:
                if awaited == imported.is_coroutine:
                    return imported.returns, value, imported.pipes, ""
                return None
            method = value.func.attr.value if isinstance(value.func, cst.Attribute) else ""
            if method in api.LOOP_PRODUCTS and qualname is None:
                return "derived", value, frozenset(), ""  # its kind depends on the receiver
            return None
        if not awaited and self.ref(value) is not None:
            return "alias", value, frozenset(), ""
        return None

    def imported_summary(self, qualname: str | None) -> FunctionSummary | None:
        if self.context is None or qualname is None:
            return None
        return self.context.functions.get(qualname)

    def record_return(self, value: cst.BaseExpression) -> None:
        """What `return value` gives, for the return kind of the function (see _Resolver)."""
        produced = self.produced(value)
        returned: Returned = None
        if produced is not None and produced[0] not in ("alias", "derived"):
            returned = ("produced", produced)
        elif isinstance(value, cst.Tuple) and len(value.elements) == 2:
            first, second = (self.ref(element.value) for element in value.elements)
            if first is not None and second is not None:
                returned = ("pair", first, second)
        else:
            ref = self.ref(value)
            returned = ("ref", ref) if ref is not None else None
        self.returns.append((self.fn, returned))

    def note_call_result(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """`x = helper()` / `x = await self.helper()`: x's kind is the helper's return kind,
        known once every function of the module is read."""
        awaited = False
        while isinstance(value, cst.Await):
            value, awaited = value.expression, True
        if not isinstance(value, cst.Call):
            return
        callee = self.callable_ref(value.func)
        if callee is None:
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            if len(target.elements) != 2:
                return
            refs = tuple(self.target_ref(element.value) for element in target.elements)
        else:
            refs = (self.target_ref(target),)
        self.call_results.append((refs, callee, awaited, value))

    def _is_loop_create_task(self, call: cst.Call) -> bool:
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "create_task"):
            return False
        inner = func.value
        if isinstance(inner, cst.Call):
            return self.qualify(inner.func) in (
                "asyncio.get_running_loop",
                "asyncio.get_event_loop",
            )
        return False

    def piped_streams(self, call: cst.Call) -> frozenset[str]:
        piped = set()
        for arg in call.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword in api.PROCESS_STREAMS and self.qualify(arg.value) == "subprocess.PIPE":
                piped.add(keyword)
        return frozenset(piped)

    # -- expressions ----------------------------------------------------------------------

    def event(self, kind: EventKind, node: cst.CSTNode, **fields: object) -> Event:
        return Event(
            kind,
            node,
            self.stmt,
            loops=tuple(self.loops),
            in_finally=self.in_finally > 0,
            in_handler=self.in_handler > 0,
            protected=self.protected > 0,
            repeated=self.repeated > 0,
            held=tuple(self.held),
            **fields,  # type: ignore[arg-type]
        )

    def emit(self, event: Event) -> None:
        self.fn.events.append(event)
        if self.step is not None:
            self.step.events.append(event)

    def escape(self, value: cst.BaseExpression) -> None:
        """`value` is handed to code we do not follow (an argument, a return value)."""
        kind = type(value)  # exact types, as in `expr`
        if kind in _SEQUENCE_DISPLAYS:
            for element in cast(_SequenceDisplay, value).elements:
                self.escape(element.value)
            return
        if kind is cst.StarredElement:
            self.escape(cast(cst.StarredElement, value).value)
            return
        ref = self.ref(value)
        if ref is not None:
            self.emit(self.event("escape", value, ref=ref))

    def iterate(self, iterable: cst.BaseExpression, node: cst.CSTNode) -> None:
        # Recorded even over an unnamed iterable (`async for x in gen():`): every step of an
        # `async for` may suspend.
        self.emit(self.event("iter", node, ref=self.ref(iterable)))

    def expr(self, node: cst.CSTNode, awaited: bool = False) -> None:
        # Exact types (these node classes have no subclasses): isinstance() against libcst's
        # ABC-based classes costs several times more, on every expression of the module.
        kind = type(node)
        if kind is cst.Call:
            self.call(cast(cst.Call, node), awaited)
        elif kind is cst.Await:
            inner = cast(cst.Await, node).expression
            self.expr(inner, awaited=True)
            if type(inner) is not cst.Call:
                self.emit(self.event("await", node, ref=self.ref(inner), awaited=True))
        elif kind is cst.Lambda:
            self.escape_all(cast(cst.Lambda, node).body)
        elif kind is cst.IfExp:
            for child in child_nodes(node):
                self.expr(child)
            self.mark_tested(cast(cst.IfExp, node).test)
        elif kind in _COMPREHENSION_TYPES:
            self.repeated += 1
            try:
                for child in child_nodes(node):
                    if type(child) is cst.CompFor:
                        self.comp_for(child)
                    else:
                        self.expr(child)
            finally:
                self.repeated -= 1
        elif kind is cst.Attribute and self.record_asyncio_use(cast(cst.Attribute, node)):
            pass  # a dotted name from an import: nothing inside it to walk
        elif kind is cst.NamedExpr:
            named = cast(cst.NamedExpr, node)
            self.expr(named.value)
            if type(named.target) is cst.Name:
                self.fn.locals.add(named.target.value)
        elif kind not in _LEAVES:
            if kind in _DISPLAYS:
                self.note_displayed(cast(_Display, node))
            for child in child_nodes(node):
                self.expr(child)

    def record_asyncio_use(self, node: cst.BaseExpression) -> bool:
        """Note `asyncio.X` (through any import alias); True when `node` is a dotted name."""
        name = dotted(node)
        if name is None:
            return False
        head, _, rest = name.partition(".")
        base = self.imports.get(head)
        if base is not None and (base == "asyncio" or base.startswith("asyncio.")) and rest:
            self.asyncio_uses.append((self.fn, node, f"{base}.{rest}"))
        return True

    def comp_for(self, node: cst.CompFor) -> None:
        self.expr(node.iter)
        if node.asynchronous is not None:
            self.iterate(node.iter, node)
        else:  # `(w.drain() for w in writers.values())`
            self.iterate_elements(node.target, node.iter)
        for condition in node.ifs:
            self.expr(condition.test)
            self.mark_tested(condition.test)
        if node.inner_for_in is not None:
            self.comp_for(node.inner_for_in)

    def escape_all(self, node: cst.CSTNode) -> None:
        """Every reference inside a lambda body may be used later, by someone else."""
        if isinstance(node, (cst.Name, cst.Attribute)):
            self.escape(node)
        for child in child_nodes(node):
            self.escape_all(child)

    def call(self, node: cst.Call, awaited: bool) -> None:
        func = node.func
        qualname = self.qualify(func)
        receiver: RawRef | None = None
        method = ""
        callee: RawRef | None = None
        if type(func) is cst.Attribute:
            method = func.attr.value
            self.record_asyncio_use(func)
            receiver = self.ref(func.value)
            if receiver is None or receiver[0] == "elem":  # `d.setdefault(k, v).acquire()`
                self.expr(func.value)
            owner = self.class_of_self(func.value)
            if owner is not None:
                callee = ("method", owner, method)
        elif type(func) is cst.Name:
            callee = ("name", self.fn.id, func.value)
        else:
            self.expr(func)
        pass_through = awaited and qualname in api.PASS_THROUGH
        args: list[tuple[int | str, RawRef | None]] = []
        arguments: list[tuple[Event, int | str]] = []  # the escapes of whole arguments
        passed: list[RawRef] = []  # what each argument refers to, starred ones included
        position = 0
        for index, arg in enumerate(node.args):
            value = arg.value
            self.expr(value, awaited=pass_through and index == 0)
            ref = self.ref(value)
            if ref is not None:
                passed.append(ref)
            if arg.star:
                position = -1_000  # later positions are unknown
                self.escape(value)
                continue
            key: int | str = arg.keyword.value if arg.keyword is not None else position
            if arg.keyword is None:
                position += 1
            args.append((key, ref))
            before = len(self.fn.events)
            self.escape(value)
            arguments.extend((e, key) for e in self.fn.events[before:] if e.node is value)
        event = self.event(
            "call",
            node,
            ref=receiver,
            method=method,
            callee=callee,
            qualname=qualname,
            args=tuple(args),
            awaited=awaited,
        )
        self.emit(event)
        for escape, key in arguments:
            escape.arg_of, escape.arg_key = event, key
        if receiver is not None:
            self.method_store(receiver, method, node)
        name = qualname or (func.value if type(func) is cst.Name else None)
        self.passed.extend((ref, event, name) for ref in passed)
        launch = launch_of(node, qualname, method, self.qualify)
        if launch is not None:
            target = self.callable_ref(launch.callable)
            bound = launch.callable
            if target is None and isinstance(bound, cst.Attribute):  # `Timer(1, event.set)`
                receiver = self.ref(bound.value)
                target = ("bound", receiver, bound.attr.value) if receiver else None
            if target is not None:
                refs = tuple((key, self.ref(value)) for key, value in launch.args)
                event.launch = LaunchSite(launch.how, target, refs)
        if qualname in api.SERVER_FACTORIES and node.args:
            handler = node.args[0].value
            target = self.callable_ref(handler)
            if target is not None:
                self.server_callbacks.append((target, event))

    def method_store(self, receiver: RawRef, method: str, node: cst.Call) -> None:
        """`tasks.append(t)`, `locks.setdefault(k, v)`; any method that is not known to keep
        the elements (`update`, `extend`, ...) may store anything."""
        position = 1 if method == "setdefault" else containers.STORE_METHODS.get(method)
        if method in containers.MAPPING_METHODS or method in containers.SEQUENCE_METHODS:
            self.shapes.append((receiver, method in containers.MAPPING_METHODS))
        if position is not None:
            value = call_argument(node, position, "")
            stored = UNKNOWN if value is None else self.stored(value)
            if method == "setdefault":
                stored = replace(stored, key=containers.literal_key(call_argument(node, 0, "")))
            self.element_stores.append((receiver, stored))
        elif method not in containers.ELEMENT_METHODS and method not in containers.KEEPING_METHODS:
            self.element_stores.append((receiver, UNKNOWN))

    def callable_ref(self, node: cst.BaseExpression) -> RawRef | None:
        if isinstance(node, cst.Name):
            return ("name", self.fn.id, node.value)
        if isinstance(node, cst.Attribute):
            owner = self.class_of_self(node.value)
            if owner is not None:
                return ("method", owner, node.attr.value)
        return None

    def class_of_self(self, node: cst.BaseExpression) -> str | None:
        """The class whose instance `node` is, when it is a method's `self` (also from a
        function nested in the method, unless that function rebinds the name)."""
        if type(node) is not cst.Name:
            return None
        name = node.value
        scope: FunctionInfo | None = self.fn
        while scope is not None and scope.kind == "function":
            if scope.class_name is not None:
                return scope.class_name if name == scope.self_name else None
            if name in scope.locals:
                return None
            scope = scope.parent
        return None


def _is_property(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.FunctionDef) and any(
        dotted(d.decorator) in ("property", "functools.cached_property", "cached_property")
        for d in node.decorators
    )


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


class _Resolver:
    """After the walk: scopes, callees, aliases, parameter bindings, kinds."""

    def __init__(self, builder: _Builder, settings: Settings) -> None:
        self.b = builder
        self.settings = settings
        self.by_id = {f.id: f for f in builder.functions}
        self.objects = ObjectModel()
        self.identities: set[Identity] = set()

    def resolve(self) -> ModuleFacts:
        b = self.b
        for ref, origin, _function in b.origins:
            self.objects.add_origin(self.identity(ref), origin)
        for left, right in b.aliases:
            self.objects.union(self.identity(left), self.identity(right))
        for function in b.functions:
            for event in function.events:
                if event.callee is not None:
                    event.target = self.function_for(event.callee)
                if event.target is not None and event.kind == "call":
                    self.bind_arguments(event)
                launch = event.launch
                if isinstance(launch, LaunchSite):
                    self.bind_launch(event, launch)
        self.give_call_results()
        for target_ref, event in b.server_callbacks:
            target = self.function_for(target_ref)
            if target is None:
                continue
            params = target.params[1:] if target.self_name else target.params
            for name, kind in zip(params, api.STREAM_PAIR, strict=False):
                self.objects.add_origin(
                    ("var", target.id, name), Origin(kind, event.node, constructor="start_server")
                )
        self.give_inherited_attributes()
        self.give_joined_parameters()
        for target_ref, receiver, kind, call in b.derived:
            if self.objects.kind(self.identity(receiver)) == api.LOOP:
                self.objects.add_origin(self.identity(target_ref), Origin(kind, call))
        for function in b.functions:
            for event in function.events:
                if event.qualname is not None and self.shadowed(function, event.node):
                    event.qualname = None  # `sleep` is a parameter here, not time.sleep
                if event.ref is not None:
                    event.identity = self.identity(event.ref)
            function.stored = [self.identity(ref) for ref in function.stored]  # type: ignore[arg-type]
            for guard in function.guards:
                if guard.ref is not None:
                    guard.identity = self.identity(guard.ref)
        self.give_element_kinds()
        # Only now are all streams known (`proc.stdin` of a helper's parameter included).
        self.objects.canonical_streams(self.identities)
        for function in b.functions:
            for event in [*function.events, *function.guards]:
                if event.identity is not None:
                    event.root = self.objects.find(event.identity)
            function.stored = [self.objects.find(item) for item in function.stored]
        constants = frozenset(
            name for name in b.module_string_names if b.module_assign_counts.get(name) == 1
        )
        return ModuleFacts(
            module=b.module,
            settings=self.settings,
            functions=b.functions,
            objects=self.objects,
            imports=b.imports,
            module_constants=constants,
            assignments=b.assignments,
            methods=b.methods,
            next_statement=b.next_statement,
            handlers=b.handlers,
            asyncio_uses=b.asyncio_uses,
            context=b.context,
            class_bases=b.class_bases,
        )

    def give_call_results(self) -> None:
        """`x = helper()`: x gets the kind `helper` returns. Twice, for a helper that returns
        another helper's result."""
        given: set[tuple[int, int]] = set()
        for _round in range(2):
            kinds = self.return_kinds()
            for refs, callee, awaited, call in self.b.call_results:
                target = self.function_for(callee)
                if target is None or target.id not in kinds or awaited != target.is_async:
                    continue
                kind, pipes = kinds[target.id]
                if kind == "pair":
                    parts = zip(refs, api.STREAM_PAIR, strict=True) if len(refs) == 2 else ()
                    pieces = [(ref, part) for ref, part in parts if ref is not None]
                elif len(refs) == 1 and refs[0] is not None:
                    pieces = [(refs[0], kind)]
                else:
                    continue
                for index, (ref, part) in enumerate(pieces):
                    if (id(call), index) not in given:
                        given.add((id(call), index))
                        origin = Origin(part, call, pipes if part == api.PROCESS else frozenset())
                        self.objects.add_origin(self.identity(ref), origin)
        for fid, (kind, pipes) in self.return_kinds().items():
            function = self.by_id[fid]
            if kind != "pair" and function.class_name and _is_property(function.node):
                attribute = ("attr", function.class_name, function.name)
                self.objects.add_origin(
                    self.identity(attribute), Origin(kind, function.node, pipes)
                )

    def give_element_kinds(self) -> None:
        """Every element of a container gets the kind that every store into it agrees on
        (see containers.py), or is marked as of no kind."""
        # Per container: (kind, piped streams, where it was made, literal key) of each store.
        pools: dict[Identity, list[_Entry]] = {}
        declared: set[Identity] = set()
        returns = self.return_kinds() if self.b.element_stores else {}
        for container, stored in self.b.element_stores:
            root = self.objects.find(self.identity(container))
            pools.setdefault(root, []).append((*self.stored_kind(stored, returns), stored.key))
            if stored.declared:
                declared.add(root)
        for ref, event, name in self.b.passed:
            followed = event.target is not None or event.launched is not None
            if not followed and name not in containers.READING_CALLS:
                root = self.objects.find(self.identity(ref))
                pools.setdefault(root, []).append((None, frozenset(), event.node, None))
        shapes: dict[Identity, set[bool]] = {}
        for ref, is_mapping in self.b.shapes:
            shapes.setdefault(self.objects.find(self.identity(ref)), set()).add(is_mapping)

        def is_sequence(root: Identity) -> bool:
            return shapes.get(root) == {False}

        for _round in range(2):  # `b = list(a)`, `c = list(b)`
            for target, source, values in self.b.copies:
                into = pools.setdefault(self.objects.find(self.identity(target)), [])
                source_root = self.objects.find(self.identity(source))
                copied = pools.get(source_root, [])
                if (values or is_sequence(source_root)) and copied:
                    into.extend(entry for entry in copied if entry not in into)
                else:  # the keys of a dict, or elements of unknown kind
                    into.append((None, frozenset(), self.b.module, None))
        elements = [i for i in self.identities if isinstance(i, tuple) and i[0] == "elem"]
        owners = {element: self.objects.find(element[1]) for element in elements}
        records = {
            root for root, pool in pools.items() if pool and all(e[3] is not None for e in pool)
        }
        for element, owner in list(owners.items()):
            if element[2] == containers.ITERATED and not is_sequence(owner):
                self.objects.mark_unknown(element)  # maybe a dict's keys
                del owners[element]
                continue
            if owner in records and containers.literal_key_text(element[2]):
                continue  # `state["lock"]` of a record: that one entry
            # `locks[a]` and `locks[b]` may be one object: what is done to one (a drain, a
            # read, a release) may be done to the other. Rules that need two elements to be
            # the same object compare `event.identity`, which keeps the key.
            self.objects.union(element, ("elem", owner, "*"))
        for element, owner in owners.items():
            pool = pools.get(owner)
            if pool and owner in records and containers.literal_key_text(element[2]):
                pool = [entry for entry in pool if entry[3] == element[2]]
            if pool and owner in declared:
                pool = [entry for entry in pool if entry[0] is not None]
            if not pool:
                continue
            kinds = {(kind, pipes) for kind, pipes, _node, _key in pool}
            if len(kinds) == 1 and pool[0][0] is not None:
                self.objects.add_origin(element, Origin(pool[0][0], pool[0][2], pool[0][1]))
            else:
                self.objects.mark_unknown(element)

    def stored_kind(
        self, stored: Stored, returns: dict[int, ReturnKind]
    ) -> tuple[api.ObjectKind | None, frozenset[str], cst.CSTNode]:
        """(kind, piped streams, where it was made) of a value stored into a container."""
        if stored.origin is not None:
            return stored.origin.kind, stored.origin.detail, stored.origin.node
        if stored.ref is not None:
            identity = self.identity(stored.ref)
            origins = self.objects.origins(identity)
            pipes = frozenset(p for o in origins for p in o.detail)
            node = origins[0].node if origins else self.b.module
            return self.objects.kind(identity), pipes, node
        if stored.derived is not None:
            receiver, product, call = stored.derived
            if self.objects.kind(self.identity(receiver)) == api.LOOP:
                return product, frozenset(), call
        if stored.call is not None:
            callee, awaited, call = stored.call
            target = self.function_for(callee)
            if target is not None and target.id in returns and awaited == target.is_async:
                kind, pipes = returns[target.id]
                if kind != "pair":
                    return kind, pipes, call
        return None, frozenset(), self.b.module

    def give_inherited_attributes(self) -> None:
        """`self._lock` in a subclass of a class of another module that makes it a Lock."""
        b = self.b
        if b.context is None:
            return
        for function in b.functions:
            if function.kind != "class":
                continue
            given: set[str] = set()
            for _local, known in ancestry(b.context, b.class_bases, function.qualname):
                for attr, (kind, pipes) in known.attributes.items() if known else ():
                    if attr not in given and kind != "pair":
                        given.add(attr)
                        origin = Origin(kind, function.node, pipes)
                        self.objects.add_origin(
                            self.identity(("attr", function.qualname, attr)), origin
                        )

    def give_joined_parameters(self) -> None:
        """A parameter that another module hands a queue it join()s is a queue."""
        b = self.b
        if b.context is None or not b.context.joined:
            return
        by_name = {f.qualname: f for f in b.functions if f.kind == "function"}
        for name, param, _path, _line in b.context.joined:
            function = by_name.get(name)
            if function is not None and param in (*function.params, *function.kwonly):
                origin = Origin(api.QUEUE, function.node, constructor="asyncio.Queue")
                self.objects.add_origin(("var", function.id, param), origin)

    def return_kinds(self) -> dict[int, ReturnKind]:
        """Per function id: the kind its calls return, from its `-> X` annotation or from
        every `return` agreeing (a function whose decorators may wrap it has none)."""
        seen: dict[int, set[ReturnKind | None]] = {}
        for function, returned in self.b.returns:
            seen.setdefault(function.id, set()).add(self.returned_kind(returned))
        kinds: dict[int, ReturnKind] = {
            fid: (kind, frozenset()) for fid, kind in self.b.return_annotations.items()
        }
        for fid, found in seen.items():
            if fid not in kinds and len(found) == 1 and None not in found:
                kind = found.pop()
                assert kind is not None
                kinds[fid] = kind
        return {fid: kind for fid, kind in kinds.items() if self.keeps_return(self.by_id[fid].node)}

    def returned_kind(self, returned: Returned) -> ReturnKind | None:
        if returned is None:
            return None
        if returned[0] == "produced":
            kind, _call, detail, _constructor = returned[1]
            if kind == "alias" or kind == "derived":
                return None
            return kind, detail
        if returned[0] == "pair":
            parts = (self.objects.kind(self.identity(r)) for r in returned[1:])
            return ("pair", frozenset()) if tuple(parts) == api.STREAM_PAIR else None
        identity = self.identity(returned[1])
        found = self.objects.kind(identity)
        if found is None:
            return None
        pipes = frozenset(p for o in self.objects.origins(identity) for p in o.detail)
        return found, pipes

    def keeps_return(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, cst.FunctionDef):
            return False
        for decorator in node.decorators:
            expression = decorator.decorator
            if isinstance(expression, cst.Call):
                expression = expression.func
            name = qualify(self.b.imports, expression) or dotted(expression)
            if name not in _RETURN_KEEPING_DECORATORS:
                return False
        return True

    def identity(self, ref: RawRef) -> Identity:
        kind = ref[0]
        if kind == "name":
            function = self.by_id[int(ref[1])]  # type: ignore[arg-type]
            name = str(ref[2])
            identity: Identity = ("var", self.scope_of(function, name).id, name)
        elif kind == "sub" or kind == "elem":
            identity = (kind, self.identity(ref[1]), ref[2])  # type: ignore[arg-type]
        else:
            identity = ref
        self.identities.add(identity)
        return identity

    def shadowed(self, function: FunctionInfo, node: cst.CSTNode) -> bool:
        """Does a local variable or parameter hide the import that a call's name resolved
        through? (Names are qualified during the walk, before every local is known.)"""
        func = node.func if isinstance(node, cst.Call) else node
        while isinstance(func, cst.Attribute):
            func = func.value
        if not isinstance(func, cst.Name):
            return False
        scope = self.scope_of(function, func.value)
        return scope.kind != "module" and func.value not in scope.imported

    def scope_of(self, function: FunctionInfo, name: str) -> FunctionInfo:
        scope: FunctionInfo | None = function
        first = True
        while scope is not None:
            if name in scope.globals:
                break
            if (first or scope.kind != "class") and name in scope.locals:
                return scope
            first = False
            scope = scope.parent
        return self.b.functions[0]  # the module

    def function_for(self, ref: RawRef) -> FunctionInfo | None:
        if ref[0] == "method":
            return self.b.methods.get(str(ref[1]), {}).get(str(ref[2]))
        function = self.by_id[int(ref[1])]  # type: ignore[arg-type]
        name = str(ref[2])
        scope = self.scope_of(function, name)
        found = scope.defs.get(name)
        if found is not None and found.kind == "function":
            return found
        class_name = scope.classes.get(name)
        if class_name is not None:
            init = self.b.methods.get(class_name, {}).get("__init__")
            return init
        return None

    def bind_arguments(self, event: Event) -> None:
        assert event.target is not None
        self.bind_parameters(event.target, event.args)

    def bind_launch(self, event: Event, site: LaunchSite) -> None:
        """A callable handed to a thread or an executor: it runs with these arguments."""
        if site.callable[0] == "bound":  # a method of an object: (its identity, the method)
            receiver = self.identity(site.callable[1])  # type: ignore[arg-type]
            event.launched_bound = (receiver, str(site.callable[2]))
            return
        target = self.function_for(site.callable)
        if target is not None:
            event.launched = target
            self.bind_parameters(target, site.args)

    def bind_parameters(
        self, target: FunctionInfo, args: tuple[tuple[int | str, RawRef | None], ...]
    ) -> None:
        params = target.params
        if target.self_name is not None:
            params = params[1:]
        for key, ref in args:
            if ref is None:
                continue
            if isinstance(key, int):
                if not 0 <= key < len(params):
                    continue
                name = params[key]
            elif key in target.params or key in target.kwonly:
                name = key
            else:
                continue
            self.objects.union(("var", target.id, name), self.identity(ref))
