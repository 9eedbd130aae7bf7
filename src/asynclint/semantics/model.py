"""Placeholder, replaced by the semantic model."""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from asynclint.settings import Settings


@dataclass
class ModuleFacts:
    module: cst.Module
    settings: Settings


def build_facts(module: cst.Module, settings: Settings) -> ModuleFacts:
    return ModuleFacts(module, settings)
