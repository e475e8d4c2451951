"""The warning rules for every kernel the tests and tools start (one place).

Warnings are errors in the test suite, and kernels started by nbval or
``tools/execute_notebooks.py`` get the same rule through ``PYTHONWARNINGS``, so a
FutureWarning in a lesson fails its cell.  Two exceptions, both raised by the
kernel machinery rather than by the kit:

- ``PendingDeprecationWarning`` stays ignored, as in Python's defaults
  (ipykernel raises one at kernel shutdown);
- on Python 3.12 and newer, tornado's ``IOLoop.current()`` calls
  ``asyncio.get_event_loop()`` while ipykernel starts, which warns "There is no
  current event loop" (DeprecationWarning) and, as an error, kills every kernel
  before it runs a cell.  The filter names that message and the module that
  triggers it (``tornado.ioloop``), so the same warning from any other module
  (a lesson, the kit) is still an error.
"""

KERNEL_WARNINGS = ",".join(
    [
        "error",
        "ignore::PendingDeprecationWarning",
        "ignore:There is no current event loop:DeprecationWarning:tornado.ioloop",
    ]
)
