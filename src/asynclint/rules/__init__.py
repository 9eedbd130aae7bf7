"""The rule registry: every rule class, and the tool's own diagnostics."""

from __future__ import annotations

from dataclasses import dataclass

from asynclint.diagnostics import Severity
from asynclint.rules.base import Finding, FixSpec, Rule
from asynclint.rules.cancellation import (
    AsyncioAttributeMissing,
    CancelledErrorSwallowed,
    LoopArgumentRemoved,
    TimeoutErrorMismatch,
)
from asynclint.rules.locks import (
    AsyncPrimitivePlainWith,
    ConditionWaitNotInLoop,
    ConditionWithoutLock,
    LockAcquireWithoutFinally,
    LockOrderInversion,
    LockReacquired,
    PrimitiveBoundAtImport,
    SyncLockAcrossAwait,
)
from asynclint.rules.queues import (
    AsyncioObjectFromThread,
    BoundedQueueSelfDeadlock,
    PriorityQueueUnorderableItem,
    QueueConsumerNeverExits,
    QueueEmptyThenGetRace,
    QueueShutdownRequiresPy313,
    QueueTaskDoneExcess,
    QueueTaskDoneMissing,
    QueueTaskDoneNotInFinally,
    WrongQueueException,
)
from asynclint.rules.streams import (
    NetworkAwaitWithoutTimeout,
    StreamCloseWithoutWaitClosed,
    StreamWriteWithoutDrain,
    UnboundedStreamRead,
)
from asynclint.rules.subprocess import (
    BlockingSubprocessInAsync,
    StreamDataNotBytes,
    SubprocessInvalidArgument,
    SubprocessNoPoll,
    SubprocessNotReaped,
    SubprocessShellInjection,
    SubprocessStdinNotClosed,
    SubprocessStreamNotPiped,
    SubprocessUnreadPipe,
    SubprocessWaitWithPipe,
)
from asynclint.rules.tasks import (
    AsyncioRunInCoroutine,
    BlockingCallInAsync,
    BlockingFileOpenInAsync,
    BusyWaitSleepLoop,
    CoroutineNeverAwaited,
    GetEventLoopInCoroutine,
    TaskReferenceDropped,
)


@dataclass(frozen=True)
class ToolDiagnostic:
    """AIO0xx: produced by the engine itself, not by a rule."""

    code: str
    name: str
    severity: Severity
    summary: str
    preview: bool = False
    fix_safety: str | None = None
    opt_in: bool = False


INTERNAL_ERROR = ToolDiagnostic(
    "AIO000", "internal-error", Severity.ERROR, "asynclint itself failed on the file (flake8 mode)"
)
SYNTAX_ERROR = ToolDiagnostic("AIO001", "syntax-error", Severity.ERROR, "The file does not parse")
UNREADABLE_FILE = ToolDiagnostic(
    "AIO002", "unreadable-file", Severity.ERROR, "The file cannot be read or decoded"
)
SKIPPED_FILE = ToolDiagnostic(
    "AIO003",
    "file-skipped",
    Severity.ERROR,
    "The file is too large, too deeply nested or too slow to analyse",
)
TOOL_DIAGNOSTICS: tuple[ToolDiagnostic, ...] = (
    INTERNAL_ERROR,
    SYNTAX_ERROR,
    UNREADABLE_FILE,
    SKIPPED_FILE,
)

RULE_CLASSES: tuple[type[Rule], ...] = (
    QueueTaskDoneMissing,
    QueueTaskDoneExcess,
    QueueTaskDoneNotInFinally,
    QueueConsumerNeverExits,
    QueueShutdownRequiresPy313,
    QueueEmptyThenGetRace,
    PriorityQueueUnorderableItem,
    AsyncioObjectFromThread,
    WrongQueueException,
    BoundedQueueSelfDeadlock,
    SubprocessWaitWithPipe,
    SubprocessShellInjection,
    SubprocessStdinNotClosed,
    SubprocessUnreadPipe,
    SubprocessInvalidArgument,
    SubprocessNoPoll,
    StreamDataNotBytes,
    SubprocessStreamNotPiped,
    SubprocessNotReaped,
    BlockingSubprocessInAsync,
    LockAcquireWithoutFinally,
    LockReacquired,
    LockOrderInversion,
    SyncLockAcrossAwait,
    AsyncPrimitivePlainWith,
    ConditionWithoutLock,
    ConditionWaitNotInLoop,
    PrimitiveBoundAtImport,
    StreamWriteWithoutDrain,
    StreamCloseWithoutWaitClosed,
    UnboundedStreamRead,
    NetworkAwaitWithoutTimeout,
    CancelledErrorSwallowed,
    TimeoutErrorMismatch,
    AsyncioAttributeMissing,
    LoopArgumentRemoved,
    CoroutineNeverAwaited,
    TaskReferenceDropped,
    AsyncioRunInCoroutine,
    GetEventLoopInCoroutine,
    BlockingCallInAsync,
    BusyWaitSleepLoop,
    BlockingFileOpenInAsync,
)

RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in RULE_CLASSES}
ALL_CODES: tuple[str, ...] = tuple(sorted([d.code for d in TOOL_DIAGNOSTICS] + list(RULES_BY_CODE)))


def metadata(code: str) -> type[Rule] | ToolDiagnostic | None:
    for diagnostic in TOOL_DIAGNOSTICS:
        if diagnostic.code == code:
            return diagnostic
    return RULES_BY_CODE.get(code)


def is_known_selector(selector: str) -> bool:
    """A selector is a code or a prefix of at least one code (`AIO`, `AIO4`, `AIO40`)."""
    return any(code.startswith(selector) for code in ALL_CODES)


__all__ = [
    "ALL_CODES",
    "RULES_BY_CODE",
    "RULE_CLASSES",
    "TOOL_DIAGNOSTICS",
    "Finding",
    "FixSpec",
    "Rule",
    "ToolDiagnostic",
    "is_known_selector",
    "metadata",
]
