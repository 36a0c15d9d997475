"""A pause of the cyclic garbage collector while a report makes objects in bulk.

A summary or a merge turns kept records into hundreds of thousands of people, findings and
money objects, none of them in a reference cycle (reference counting frees them). With the
collector on, their allocation triggers full collections over everything alive again and again:
40 % of a county merge from the web store, about 18 % of a warm CLI merge of five townships.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_bulk_lock = threading.Lock()
_bulk_users = 0
_collector_was_on = True


@contextmanager
def objects_in_bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while a summary or merge turns records into objects
    (see the module's docstring). Shared by threads: the collector runs again when the last one
    leaves, and only if it was on before the first came."""
    global _bulk_users, _collector_was_on
    with _bulk_lock:
        if not _bulk_users:
            _collector_was_on = gc.isenabled()
        _bulk_users += 1
        gc.disable()
    try:
        yield
    finally:
        with _bulk_lock:
            _bulk_users -= 1
            if not _bulk_users and _collector_was_on:
                gc.enable()
