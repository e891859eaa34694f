"""N clients race on the same objects through real gunicorn (two workers, four
threads each; directly and behind PgBouncer). Every race ends in a consistent state with the
documented answers (409 ``name_taken``, 422 for a stale reorder, 404 for a vanished queue,
an Idempotency-Key replay) and no duplicate rows.
"""

from __future__ import annotations

import secrets

import pytest

from tests.factories import race

from .conftest import Service, with_database

pytestmark = pytest.mark.faults

N = 8
ROUNDS = 3


@pytest.fixture(scope="module", params=["direct", "pgbouncer"])
def service(request, fault_db, workdir):
    url = fault_db.url
    if request.param == "pgbouncer":
        url = with_database(request.getfixturevalue("pgbouncer").url, fault_db.name)
        url += "?pgbouncer=true"
    service = Service(url, workdir)
    yield service
    service.stop()


def make_queue(service, tenant, name=None) -> dict:
    r = service.post(
        "queues/create", {"name": name or f"Q {secrets.token_hex(4)}"}, token=tenant.token
    )
    assert r.status == 201, r.body
    return r.body["queue"]


class TestRaces:
    def test_renames_to_the_same_name(self, service, fault_db):
        tenant = fault_db.tenant()
        for round_ in range(ROUNDS):
            queues = [make_queue(service, tenant) for _ in range(N)]
            name = f"Same {round_}"
            spellings = [name.upper() if i % 2 else name for i in range(N)]  # case-insensitive
            answers = race(
                *[
                    lambda q=q, n=spellings[i]: service.post(
                        "queues/update",
                        {"queue_id": q["id"], "name": n},
                        token=tenant.token,
                    )
                    for i, q in enumerate(queues)
                ]
            )
            assert sorted(a.status for a in answers) == [200] + [409] * (N - 1), answers
            assert {a.code for a in answers if a.status == 409} == {"name_taken"}
            winner = next(a.body["queue"] for a in answers if a.status == 200)
            rows = fault_db.sql(
                "SELECT id, version FROM queues WHERE account_id = %s AND lower(name) = lower(%s)",
                (tenant.account_id, name),
            )
            assert rows == [{"id": winner["id"], "version": 2}]
            # The losers are unchanged.
            versions = fault_db.sql(
                "SELECT version FROM queues WHERE account_id = %s AND id = ANY(%s) AND id <> %s",
                (tenant.account_id, [q["id"] for q in queues], winner["id"]),
            )
            assert {v["version"] for v in versions} == {1}

    def test_creates_with_the_same_name(self, service, fault_db):
        tenant = fault_db.tenant()
        for round_ in range(ROUNDS):
            name = f"Twin {round_}"
            answers = race(
                *[
                    lambda n=name: service.post("queues/create", {"name": n}, token=tenant.token)
                    for _ in range(N)
                ]
            )
            assert sorted(a.status for a in answers) == [201] + [409] * (N - 1), answers
            count = fault_db.sql(
                "SELECT count(*) AS n FROM queues"
                " WHERE account_id = %s AND lower(name) = lower(%s)",
                (tenant.account_id, name),
            )
            assert count == [{"n": 1}]

    def test_idempotent_retries_of_one_create(self, service, fault_db):
        tenant = fault_db.tenant()
        for round_ in range(ROUNDS):
            key = f"retry-{round_}-{secrets.token_hex(4)}"
            body = {"name": f"Once {round_}"}
            answers = race(
                *[
                    lambda body=body, key=key: service.post(
                        "queues/create",
                        body,
                        token=tenant.token,
                        headers={"Idempotency-Key": key},
                    )
                    for _ in range(N)
                ]
            )
            assert [a.status for a in answers] == [201] * N, [a.body for a in answers]
            assert len({a.body["queue"]["id"] for a in answers}) == 1
            replayed = [a.headers.get("Idempotent-Replayed") for a in answers]
            assert replayed.count("true") == N - 1, replayed
            count = fault_db.sql(
                "SELECT count(*) AS n FROM queues WHERE account_id = %s AND name = %s",
                (tenant.account_id, body["name"]),
            )
            assert count == [{"n": 1}]

    def test_reorder_racing_creates(self, service, fault_db):
        tenant = fault_db.tenant()
        path = "resolution-categories"
        for k in range(3):
            r = service.post(f"{path}/create", {"name": f"Cat {k}"}, token=tenant.token)
            assert r.status == 201, r.body
        for round_ in range(ROUNDS):
            listed = service.post(path, token=tenant.token).body["resolution_categories"]
            ids = [c["id"] for c in reversed(listed)]
            answers = race(
                lambda ids=ids: service.post(f"{path}/reorder", {"ids": ids}, token=tenant.token),
                *[
                    lambda name=f"New {round_}.{i}": service.post(
                        f"{path}/create", {"name": name}, token=tenant.token
                    )
                    for i in range(N - 1)
                ],
            )
            reorder, creates = answers[0], answers[1:]
            assert [c.status for c in creates] == [201] * (N - 1), [c.body for c in creates]
            # The reorder ran before every create (200) or after some (422: it misses them).
            assert reorder.status in (200, 422), reorder.body
            if reorder.status == 422:
                assert reorder.code == "validation_failed"
                assert reorder.body["error"]["details"]["missing"]
            rows = fault_db.sql(
                "SELECT id, position FROM resolution_categories WHERE account_id = %s"
                " ORDER BY position",
                (tenant.account_id,),
            )
            assert [r["position"] for r in rows] == list(range(1, len(rows) + 1)), rows
            new_ids = {c.body["resolution_category"]["id"] for c in creates}
            assert {r["id"] for r in rows} == set(ids) | new_ids
            if reorder.status == 200:
                assert [r["id"] for r in rows][: len(ids)] == ids  # new ones appended after

    def test_delete_racing_moves(self, service, fault_db):
        tenant = fault_db.tenant()
        for _ in range(ROUNDS):
            doomed, target = make_queue(service, tenant), make_queue(service, tenant)
            elsewhere = [make_queue(service, tenant) for _ in range(N - 1)]
            ids = fault_db.tickets(tenant, doomed["id"], 200)
            answers = race(
                lambda doomed=doomed, target=target: service.post(
                    "queues/delete",
                    {"queue_id": doomed["id"], "reassign_to_queue_id": target["id"]},
                    token=tenant.token,
                ),
                *[
                    lambda e=e, doomed=doomed: service.post(
                        "queues/move",
                        {"from_queue_id": doomed["id"], "to_queue_id": e["id"]},
                        token=tenant.token,
                    )
                    for e in elsewhere
                ],
            )
            delete, moves = answers[0], answers[1:]
            assert delete.status == 200, delete.body
            for m in moves:
                assert m.status in (200, 404), m.body  # 404: the source queue vanished
            moved = delete.body["moved"] + sum(m.body.get("moved", 0) for m in moves)
            assert moved == 200
            rows = fault_db.sql(
                "SELECT t.queue_id, (SELECT count(*) FROM ticket_events e WHERE e.account_id ="
                " t.account_id AND e.ticket_id = t.id) AS events, (SELECT e.to_queue_id FROM"
                " ticket_events e WHERE e.account_id = t.account_id AND e.ticket_id = t.id"
                " ORDER BY e.id DESC LIMIT 1) AS last_to"
                " FROM tickets t WHERE t.account_id = %s AND t.id = ANY(%s)",
                (tenant.account_id, ids),
            )
            assert len(rows) == 200
            assert all(r["events"] == 1 and r["last_to"] == r["queue_id"] for r in rows), rows
            assert not fault_db.sql(
                "SELECT 1 FROM queues WHERE account_id = %s AND id = %s",
                (tenant.account_id, doomed["id"]),
            )
