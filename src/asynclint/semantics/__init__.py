"""What asynclint knows about a module, computed once per file and shared by every rule.

`model.build_facts` builds a `model.ModuleFacts`; CONTRIBUTING.md ("The semantic layer")
describes what it holds and which module answers which question."""
