"""Hash-chain maths without a database: how events link and how each kind of tampering shows."""

from __future__ import annotations

from typing import Any

from careloop.audit.chain import GENESIS, HASHED_FIELDS, ChainProblem, event_hash, verify_chain


def chain(length: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    prev = GENESIS
    for seq in range(1, length + 1):
        record: dict[str, Any] = {name: "" for name in HASHED_FIELDS}
        record |= {
            "seq": seq,
            "recorded_at": f"2026-03-02T15:{seq:02d}:00+00:00",
            "organization_id": 1,
            "actor_id": 7,
            "actor_label": "advocate_x",
            "action": "R",
            "event_type": "case.view",
            "case_id": 40 + seq,
            "fields": ["narrative"],
            "detail": {},
        }
        digest = event_hash(prev_hash=prev, record=record, key=KEY)
        records.append({**record, "prev_hash": prev, "hash": digest})
        prev = digest
    return records


KEY = b"test-audit-key"


def verify(records: list[dict[str, Any]], head: dict[str, Any]) -> list[ChainProblem]:
    return verify_chain(records, head_seq=head["seq"], head_hash=head["hash"], key=KEY)


def test_an_untouched_chain_has_no_problems() -> None:
    records = chain(5)

    assert verify(records, records[-1]) == []


def test_an_empty_chain_matches_an_empty_head() -> None:
    assert verify_chain([], head_seq=0, head_hash=GENESIS, key=KEY) == []


def test_the_hash_depends_on_the_previous_hash_and_on_every_hashed_field() -> None:
    record = chain(1)[0]
    base = event_hash(prev_hash=GENESIS, record=record, key=KEY)

    assert event_hash(prev_hash="1" * 64, record=record, key=KEY) != base
    for name in HASHED_FIELDS:
        changed = {**record, name: "tampered"}
        assert event_hash(prev_hash=GENESIS, record=changed, key=KEY) != base, name


def test_the_hash_ignores_key_order() -> None:
    record = chain(1)[0]
    reordered = dict(reversed(list(record.items())))

    assert event_hash(prev_hash=GENESIS, record=reordered, key=KEY) == record["hash"]


def test_an_edited_event_is_reported_as_changed() -> None:
    records = chain(5)
    records[2]["actor_label"] = "mallory"

    assert verify(records, records[-1]) == [
        ChainProblem(3, "contents were changed after recording")
    ]


def test_a_deleted_event_leaves_a_gap_and_a_broken_link() -> None:
    records = chain(5)
    head = records[-1]
    del records[2]

    assert verify(records, head) == [
        ChainProblem(4, "expected event #3, found #4"),
        ChainProblem(4, "link to the previous event is broken"),
    ]


def test_two_swapped_events_break_the_order_and_the_links() -> None:
    records = chain(5)
    head = records[-1]
    records[1], records[2] = records[2], records[1]

    problems = verify(records, head)

    assert ChainProblem(3, "expected event #2, found #3") in problems
    assert ChainProblem(2, "expected event #4, found #2") in problems
    assert ChainProblem(3, "link to the previous event is broken") in problems


def test_a_truncated_chain_falls_short_of_its_head() -> None:
    records = chain(5)
    head = records[-1]

    assert verify(records[:-1], head) == [ChainProblem(4, "chain ends at #4, head says #5")]


def test_a_rewritten_tail_does_not_match_the_head_hash() -> None:
    records = chain(5)
    head = records[-1]
    forged = {**records[-1], "actor_label": "mallory"}
    forged["hash"] = event_hash(prev_hash=forged["prev_hash"], record=forged, key=KEY)

    assert verify([*records[:-1], forged], head) == [
        ChainProblem(5, "the last event does not match the chain head")
    ]


def test_a_forger_without_the_key_cannot_rebuild_a_consistent_chain() -> None:
    records = chain(3)
    forged = {**records[1], "actor_label": "mallory"}
    forged["hash"] = event_hash(prev_hash=forged["prev_hash"], record=forged, key=b"guessed")
    tail = {**records[2], "prev_hash": forged["hash"]}
    tail["hash"] = event_hash(prev_hash=tail["prev_hash"], record=tail, key=b"guessed")

    problems = verify([records[0], forged, tail], tail)

    assert ChainProblem(2, "contents were changed after recording") in problems
    assert ChainProblem(3, "contents were changed after recording") in problems
