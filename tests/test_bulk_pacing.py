"""Provider limits for bulk rows: evenly spaced sends, the TPM budget, and the vendors' rate-limit headers."""

import pytest


def test_rpm_is_paced_evenly_never_a_minutes_burst():
    from core.bulk.pacing import MemorySlots

    now = [0.0]
    slots = MemorySlots(clock=lambda: now[0])
    assert [slots.take("p", 0.5) for _ in range(2)] == [0.0, 0.5]  # the first goes, the next waits 0.5 s
    now[0] = 0.7  # a sender woke up late: the slot after it is 0.5 s after it went, not crowded onto it
    assert slots.take("p", 0.5) == 0.0 and slots.take("p", 0.5) == pytest.approx(0.5)
    now[0] = 10.0  # idle time is not saved up into a burst
    assert [slots.take("p", 0.5) for _ in range(2)] == [0.0, 0.5]


def test_one_sender_per_process_asks_for_the_next_rpm_slot():
    import threading
    import time

    from core.bulk.pacing import MemorySlots, ProviderBudget

    asking, most, real = [0], [0], MemorySlots()

    def take(key, interval):
        asking[0] += 1
        most[0] = max(most[0], asking[0])
        time.sleep(0.005)  # a round trip to Redis
        asking[0] -= 1
        return real.take(key, interval)

    budget = ProviderBudget()
    budget.slots.take = take
    senders = [threading.Thread(target=budget.before_send, args=("p", 6000)) for _ in range(6)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert most[0] == 1, "a worker's waiting lanes queue behind one asker instead of all waking for each slot"


def test_token_budget_waits_for_the_minute_to_have_room():
    from core.bulk.pacing import ProviderBudget

    slept = []
    budget = ProviderBudget(sleep=slept.append)
    assert budget.acquire("p", 1000, prompt_tokens=300, max_tokens=400) == 700 and slept == []
    budget.settle("p", 1000, charged=700, used=350, completion=50)  # answers are short: expect about 50 next
    assert budget.acquire("p", 1000, prompt_tokens=200, max_tokens=400) == 250 and slept == []
    budget.tokens.hit = lambda *args, **kwargs: bool(slept)  # full until it has waited once
    budget.acquire("p", 1000, prompt_tokens=200, max_tokens=400)
    assert len(slept) == 1 and 0 < slept[0] <= 60


def test_vendor_rate_limit_headers_hold_calls_before_the_429():
    from core.providers import headroom

    now = 1_000.0
    assert headroom.parse_duration("6m0s") == 360 and headroom.parse_duration("20ms") == 0.02
    assert headroom.parse_duration("1.5s") == 1.5 and headroom.parse_duration("soon") is None
    assert headroom.hold_for({"x-ratelimit-remaining-requests": "57", "x-ratelimit-reset-requests": "1s"}, now) == 0
    assert headroom.hold_for({"x-ratelimit-remaining-requests": "1", "x-ratelimit-reset-requests": "2.5s"}, now) == 2.5
    assert headroom.hold_for({"x-ratelimit-limit-tokens": "10000", "x-ratelimit-remaining-tokens": "150",
                              "x-ratelimit-reset-tokens": "800ms"}, now) == 0.8
    assert headroom.hold_for({"anthropic-ratelimit-requests-remaining": "0",
                              "anthropic-ratelimit-requests-reset": "1970-01-01T00:16:43Z"}, now) == 3.0
    assert headroom.hold_for({"retry-after-ms": "1500", "retry-after": "9"}, now) == 1.5
    assert headroom.hold_for({"retry-after": "Thu, 01 Jan 1970 00:16:50 GMT"}, now) == 10.0
    headroom.clear()
    headroom.observe("custom", {"retry-after": "0.3"})
    assert 0.2 < headroom.wait_seconds("custom") <= 0.3 and headroom.wait_seconds("openai") == 0
    assert 0.2 < headroom.wait_seconds("custom", paced=True) <= 0.3  # a Retry-After holds paced calls too
    headroom.clear()
    headroom.observe("custom", {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s"})
    assert headroom.wait_seconds("custom") > 0.9
    assert headroom.wait_seconds("custom", paced=True) == 0, "a full window is the steady state of even pacing"
    headroom.clear()
