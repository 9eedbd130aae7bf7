"""Effects across modules: a helper that hands its parameter to a function of another checked
module does to it what that function does (`send(writer, m)` calling `wire.frame(writer, m)`
writes). Each summary records such hand-overs as forwards (project/param_effects.py); here they
are folded into the effects, over the whole import graph at once: a function's effects are its
own plus those of every function it forwards to, the least fixed point of that union, found in
a bounded number of rounds (import cycles included). A callee that is not a checked function, a
keyword it does not take, or a chain still growing after the last round counts as storing the
parameter: anything may happen to it, and the rules stay silent."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from asynclint.project.param_effects import STORE, by_effect, prefixed
from asynclint.project.summaries import FunctionSummary

# Rounds of following forwards: a chain of helpers longer than this counts as stored.
_ROUNDS = 8

Key = tuple[str, str]  # (module name, function qualname in it)


def resolve_forwards(
    functions: Mapping[Key, FunctionSummary],
    lookup: Callable[[str], tuple[Key, FunctionSummary] | None],
) -> dict[Key, FunctionSummary]:
    """The summaries of `functions` that have forwards, with them folded into their effects.
    `lookup(dotted name)` finds a checked function (re-exports followed)."""
    pending = {key: f for key, f in functions.items() if f.forwards}
    if not pending:
        return {}
    effects: dict[Key, dict[str, set[str]]] = {key: _by_param(f) for key, f in pending.items()}
    targets: dict[str, tuple[Key, FunctionSummary] | None] = {}  # looked up once per callee
    stable = False
    for _round in range(_ROUNDS):
        changed = False
        for key, function in pending.items():
            have = effects[key]
            for param, prefix, callee, at in function.forwards:
                if callee not in targets:
                    targets[callee] = lookup(callee)
                found = _effects_through(targets[callee], at, prefix, effects)
                mine = have.setdefault(param, set())
                if not found <= mine:
                    mine |= found
                    changed = True
        if not changed:
            stable = True
            break
    resolved: dict[Key, FunctionSummary] = {}
    for key, function in pending.items():
        have = effects[key]
        if not stable:  # still growing: whatever it forwards may have any effect
            for param, *_ in function.forwards:
                have.setdefault(param, set()).add(STORE)
        resolved[key] = dataclasses.replace(function, effects=by_effect(have), forwards=())
    return resolved


def _effects_through(
    target: tuple[Key, FunctionSummary] | None,
    at: int | str,
    prefix: str,
    effects: Mapping[Key, Mapping[str, set[str]]],
) -> set[str]:
    if target is None:
        return {STORE}
    key, callee = target
    param = callee.parameter(at)
    if param is None:
        return {STORE}
    done = effects[key].get(param, set()) if key in effects else callee.effects_on(param)
    # A stream handed over (`proc.stdout`): the callee's effects are on that stream.
    return {prefixed(prefix, effect) for effect in done} - {""}


def _by_param(function: FunctionSummary) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for effect, params in function.effects:
        for param in params:
            found.setdefault(param, set()).add(effect)
    return found
