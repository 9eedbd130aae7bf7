"""Fixes, from a rule's description to the written file:

`spec.FixSpec` (a rule describes its fix against CST nodes) -> `edits.to_fix` (text edits, once
the nodes' positions are known) -> `apply` (the edits that do not clash, applied) ->
`stable.fix_until_stable` (check again and repeat until nothing more applies; never keep text
that does not parse) -> `write.write_fixes` (only while the file is unchanged, atomically) or
`diff.unified_diff` for `--diff`. `statements` regenerates a rewritten compound statement."""
