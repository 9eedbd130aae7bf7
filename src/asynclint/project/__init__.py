"""Project mode: the modules a `check` run sees, what each defines (small summaries of plain
data, extracted with the stdlib `ast`), and what each module may know about the others.

The per-module analysis (`semantics/`) reads only `summaries.ModuleContext`: a module's own
name and the summaries of what it imports. Building the index is the main process's job; a
worker receives just its module's context."""
