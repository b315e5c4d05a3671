from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acd.rules import AcdError
from acd.trunks import Admit, Refuse, Release, Seize, TrunkCapacity, TrunkError

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_ninth_inbound_caller_is_refused_and_outbound_is_separate():
    t = TrunkCapacity(8, 4)
    for i in range(8):
        assert isinstance(t.handle(Seize(f"c{i}", "inbound"), T0)[0], Admit)
    (r,) = t.handle(Seize("c8", "inbound"), T0)
    assert isinstance(r, Refuse) and "8 inbound" in r.reason
    assert isinstance(t.handle(Seize("o1", "outbound"), T0)[0], Admit)
    t.handle(Release("c0"), T0)
    assert isinstance(t.handle(Seize("c9", "inbound"), T0)[0], Admit)


def test_illegal_events_name_the_call():
    t = TrunkCapacity(1, 0)
    t.handle(Seize("a", "inbound"), T0)
    with pytest.raises(TrunkError, match="already holds"):
        t.handle(Seize("a", "inbound"), T0)
    with pytest.raises(TrunkError, match="holds no line"):
        t.handle(Release("zz"), T0)
    assert issubclass(TrunkError, AcdError) and issubclass(TrunkError, ValueError)
    assert isinstance(t.handle(Seize("o", "outbound"), T0)[0], Refuse)


@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(0, 15), st.sampled_from(["inbound", "outbound"])), max_size=200
    )
)
def test_never_more_lines_than_configured(ops):
    t = TrunkCapacity(8, 4)
    held: set[str] = set()
    for seize, n, direction in ops:
        cid = f"{direction}{n}"
        if seize and cid not in held:
            (cmd,) = t.handle(Seize(cid, direction), T0)
            if isinstance(cmd, Admit):
                held.add(cid)
        elif not seize and cid in held:
            t.handle(Release(cid), T0)
            held.discard(cid)
        assert t.in_use("inbound") <= 8 and t.in_use("outbound") <= 4
        for d in ("inbound", "outbound"):  # the kept count is the lines actually held
            assert (
                t.in_use(d)
                == sum(1 for h in held if h.startswith(d))
                == sum(1 for x, _ in t.calls.values() if x == d)
            )
    assert t.peak["inbound"] <= 8 and t.peak["outbound"] <= 4
