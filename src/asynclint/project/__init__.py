"""Project mode: the modules a `check` run sees, what each defines (small summaries of plain
data, extracted with the stdlib `ast`), and what each module may know about the others.

The per-module analysis (`semantics/`) reads only `summaries.ModuleContext`: a module's own
name and the summaries of what it imports. The workers compute the summaries where they
read the files; the main process keeps them (small plain data, never syntax trees) in the
index, and a worker analysing a file receives just its module's context."""
