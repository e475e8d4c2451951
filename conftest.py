"""Suite-wide settings that must be in place before any kernel starts."""

import os

# Warnings are errors in the test suite (pyproject's filterwarnings covers the
# pytest process); kernels started by nbval inherit this, so a FutureWarning in
# a notebook fails its cell too. PendingDeprecationWarning stays ignored as in
# Python's defaults (ipykernel itself raises one at kernel shutdown).
os.environ["PYTHONWARNINGS"] = "error,ignore::PendingDeprecationWarning"
