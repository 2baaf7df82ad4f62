"""The hybrid logical clock: stamps sort in time order, never repeat, and move past
what they have seen even when the laptop's clock is wrong (reliability case 37)."""

import uuid

import pytest

from cypdesk.common.hlc import STAMP_LENGTH, Clock, Stamp, wall_ms_of

NODE_A = str(uuid.UUID(int=1))
NODE_B = str(uuid.UUID(int=2))


def test_stamps_increase_even_when_time_stands_still():
    clock = Clock(NODE_A, now_ms=lambda: 1_700_000_000_000)
    stamps = [clock.tick() for _ in range(1000)]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 1000
    assert all(len(s) == STAMP_LENGTH for s in stamps)


def test_clock_going_back_does_not_go_back():
    times = iter([5_000, 4_000, 3_000])
    clock = Clock(NODE_A, now_ms=lambda: next(times))
    first, second, third = clock.tick(), clock.tick(), clock.tick()
    assert first < second < third
    assert wall_ms_of(third) == 5_000


def test_observing_a_partners_future_stamp_moves_past_it():
    fast = Clock(NODE_B, now_ms=lambda: 9_000_000)  # a partner laptop an hour or so fast
    slow = Clock(NODE_A, now_ms=lambda: 1_000_000)
    theirs = fast.tick()
    slow.observe(theirs)
    assert slow.tick() > theirs


def test_same_time_on_two_installations_orders_by_installation():
    a = Clock(NODE_A, now_ms=lambda: 42).tick()
    b = Clock(NODE_B, now_ms=lambda: 42).tick()
    assert a != b and a < b  # deterministic tie-break, never equal


def test_parse_round_trip_and_refusals():
    stamp = Clock(NODE_A, now_ms=lambda: 123456).tick()
    assert str(Stamp.parse(stamp)) == stamp
    with pytest.raises(ValueError):
        Stamp.parse("not a stamp")
    with pytest.raises(ValueError):
        Clock("not-a-uuid")
