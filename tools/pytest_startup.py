"""Loaded by pytest before any other plugin (``-p tools.pytest_startup`` in pyproject's addopts).

jsonschema imports its optional IRI checker, ``rfc3987_syntax``, when it is installed (the
JupyterLab stack installs it), and that package builds a lark grammar on import: 0.9 CPU s
in every pytest process (each worker of each phase), before a single test, for a format no
test of the kit validates. nbval's plugin imports nbformat, which imports jsonschema, so
this must run before the plugins load. The grader's runner does the same in every sandbox
(``b2bsm/exercises/_run.py``); jsonschema then checks IRIs with ``rfc3987`` or not at all.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
