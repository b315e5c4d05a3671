"""freeze_startup_heap: the garbage start left is freed first; what comes later is collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from hotline.daemon.heap import freeze_startup_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


@pytest.fixture
def frozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the test process goes on collecting as before


def test_start_garbage_is_freed_and_later_garbage_still_collected(frozen):
    before = weakref.ref(Node())  # garbage already, waiting for the collector
    kept = Node()
    assert freeze_startup_heap() == gc.get_freeze_count() > 0
    assert before() is None  # collected, not frozen forever
    later = weakref.ref(Node())
    gc.collect()
    assert later() is None and kept.me is kept
