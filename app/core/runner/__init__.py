"""Running snippets: the sandbox layers, the runtimes, one run, its outcome in words.

`sandbox.py` says which layer works here (bubblewrap, namespaces, none) and builds its
command line; `languages.py` finds the runtime; `run.py` runs one snippet (`SnippetRun`)
through `launcher.py` (limits, peak memory, death with the app); `output.py` keeps the last
part of what it printed; `testing.py` runs a block of tests against a Python snippet;
`outcome.py` says what happened (for the output pane, the history, the model and Fix it).
"""
