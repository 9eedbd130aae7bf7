"""What asynclint knows about a module, computed once per file and shared by every rule.

How to use it from a rule (`facts` is a `model.ModuleFacts`):

- `facts.functions`: every function, plus one pseudo-function for the module body and one per
  class body (`FunctionInfo.kind`). A function has `is_async`, `qualname`, `class_name` (for
  methods), `params`, `events` (in evaluation order) and `body` (its control-flow skeleton).
- Events (`events.Event`): `kind` is "call", "await" (awaiting something that is not a call),
  "escape" (an object handed to other code: an argument, a return value), "iter" (`async for`
  over an object), "create" (a subprocess created; `extra["pipes"]`), "enter" (a `with` item;
  `extra["async"]`). A call has `method` (for `x.m()`), `qualname` (import-resolved and
  normalized: `asyncio.Queue`, `subprocess.PIPE`), `awaited`, `role` ("discarded", "assigned",
  "returned"), `args`, `target` (the module's own function it calls, if any) and the context it
  runs in: `loops`, `in_finally`, `in_handler`, `protected` (inside a `try` whose handler
  swallows everything), `repeated` (in a comprehension), `held` (enclosing `with` items).
- Kinds: `facts.kind(event.root)` is "queue", "lock", "event", "condition", "semaphore",
  "process", "reader", "writer", "task", "loop" (see `asyncio_api`) or None when unknown. Kinds
  come only from asyncio constructors and factories, annotations, `open_connection()`
  unpacking, `start_server()` callbacks, `self.x` attributes and aliases, never from names.
  `facts.objects.origins(root)` says where the kind came from (the constructor call).
- `facts.calls_made(function)`: (object, method) pairs a function calls, including through the
  module functions it calls, for "does this helper drain / task_done / read?".
- `facts.handlers`: every `except` clause with the import-resolved names it catches.
- `facts.asyncio_uses`: every `asyncio.X` name used, through any import alias.
- `obligations.unmet_obligations` / `pending_at`: "is every X followed by a Y on some path",
  "which X are still open when a path reaches Z", over `flow.Interpreter`.

Domain facts built on these live beside them: `streams.py` (writes, drains, reads to EOF,
closes without `wait_closed()`, reads no timeout bounds), `processes.py` (waits with unread
pipes; `stream_modes` / `process_streams`: which streams each creation pipes; `stream_owner`;
writes to stdin left open at a wait; reads to EOF while another pipe is unread; streams used
when not piped; invalid creation and `wait()`/`communicate()` arguments; signals no wait
follows, processes never waited; `expects_error` for code inside `pytest.raises` or a matching
`try`), `str_values.py` (is an expression a str?), `sync_subprocess.py` (blocking subprocess
and `os.wait*` calls in coroutines), `queues.py` (get/task_done accounting), `shell.py`
(interpolated shell commands),
`locks.py` (`lock_facts`: the primitives held at each event, where each is acquired and what
is held there, what a function takes through the functions it awaits, which names are one
lock; `loose_acquires`: acquire() calls an exception can leave held). `event.identity` is the
event's reference before aliases merge (`event.root`); kind "threading" marks the blocking
primitives of `threading`.

Facts about how code runs: `threads.off_loop_functions` (functions that run on another thread:
`threading.Thread` targets, `to_thread`, `run_in_executor`, a known thread pool's `submit`, and
what they call; the model binds the arguments of those launches, see `launch.py`),
`spawning.spawns` / `concurrent_copies` / `waits_for` (how each coroutine function is started,
how many copies may run at once, whether its spawner waits for it), `termination.can_finish` /
`loop_exits` (a normal way out of a function or a loop), `guards.version_guarded` (a use
protected by a version check, `hasattr` or `except AttributeError`). Queue misuse built on them
is in `queue_misuse.py`. Kinds also include "future" (`loop.create_future()`, `asyncio.Future`)
and "executor" (`concurrent.futures.ThreadPoolExecutor`, also bound by `with ... as pool`).

Cancellation, coroutines and versions: `cancellation.swallowed_cancellations` (`except`
clauses and `contextlib.suppress()` blocks that catch `CancelledError` and let it go on some
path, found by `reraise.unraised_exits` over the flow model, and what follows: the coroutine
goes on, a caller awaiting it goes on, or it ends normally) and `timeout_mismatches` (`except
TimeoutError` that misses `asyncio.TimeoutError` below 3.11); `coroutines.returns_coroutine`,
`unawaited_coroutines`, `dropped_tasks`, `runs_event_loop` (calls that make coroutines, which
results are dropped, tasks nobody keeps, loops started from a coroutine);
`blocking.blocking_calls` / `busy_waits`; `compat.missing_names` / `removed_loop_arguments`
(asyncio names the target version lacks, from `asyncio_names`, the table of asyncio's public
names per version that ships with the package; `loop=` removed in 3.10). `expressions` has the small
syntax helpers: dotted names and import resolution, `is_shadowed` / `call_qualname` (a local
name hiding an import: the model resolves names through the module's imports only),
`reads_name`, a function's own nodes.
"""
