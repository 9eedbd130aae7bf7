"""Which rules run: the default selection, opt-in rules and preview rules."""

from __future__ import annotations

import pytest

from asynclint.registry import metadata
from asynclint.rules import RULE_CLASSES
from asynclint.selection import enabled_codes, is_enabled, on_by_default
from asynclint.settings import Settings

OPT_IN = "AIO604"
PREVIEW = "AIO606"


def test_opt_in_rules_are_left_out_of_the_default_selection() -> None:
    opt_in = {rule.code for rule in RULE_CLASSES if rule.opt_in}
    assert OPT_IN in opt_in
    default = enabled_codes(Settings())
    assert not opt_in & default
    assert "AIO605" in default and not on_by_default(OPT_IN) and on_by_default("AIO602")


@pytest.mark.parametrize("prefix", ["AIO", "AIO6", "AIO60"])
def test_a_prefix_does_not_turn_an_opt_in_rule_on(prefix: str) -> None:
    assert not is_enabled(OPT_IN, Settings(select=(prefix,)))
    assert not is_enabled(OPT_IN, Settings(select=(prefix,), preview=True))
    assert is_enabled("AIO605", Settings(select=(prefix,)))


def test_the_full_code_turns_an_opt_in_rule_on() -> None:
    assert is_enabled(OPT_IN, Settings(select=(OPT_IN,)))
    assert is_enabled(OPT_IN, Settings(extend_select=(OPT_IN,)))
    assert not is_enabled(OPT_IN, Settings(extend_select=(OPT_IN,), ignore=(OPT_IN,)))


def test_preview_rules_need_preview_mode_or_their_full_code() -> None:
    assert not is_enabled(PREVIEW, Settings())
    assert is_enabled(PREVIEW, Settings(preview=True))
    assert is_enabled(PREVIEW, Settings(select=(PREVIEW,)))


def test_opt_in_is_described_by_the_registry() -> None:
    meta = metadata(OPT_IN)
    assert meta is not None and meta.opt_in and not meta.preview and meta.fix_safety == "safe"
