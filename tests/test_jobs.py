"""Bulk moves handed to the worker: 202 with a job, progress, resumption, exactly-once history,
conflicts between jobs, the job endpoints, and the worker's scheduled housekeeping."""

from __future__ import annotations

import dataclasses

import pytest

from tests.factories import assert_error
from tickiti_workflow.worker import Worker

SYNC_LIMIT = 30
CHUNK = 20


@pytest.fixture
def small_limits(app):
    """Moves above 30 tickets become jobs, moved 20 per chunk (the defaults are 10,000/5,000)."""
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = dataclasses.replace(settings, bulk_sync_max_tickets=SYNC_LIMIT)
    yield
    app.config["SETTINGS"] = settings


@pytest.fixture
def worker_for(app, database_url):
    """``worker_for()``: a worker on the test database with small chunks and a 1 s lease."""
    made: list[Worker] = []

    def make() -> Worker:
        settings = dataclasses.replace(
            app.config["SETTINGS"], job_chunk_size=CHUNK, worker_lease_seconds=1
        )
        worker = Worker(database_url, settings)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.close()


def run_job(worker: Worker, account_id: int, job_id: int, limit: int = 500) -> None:
    """Step the worker until the job has finished (other accounts' jobs may run meanwhile)."""
    for _ in range(limit):
        worker.step()
        if worker.job is None and finished(worker, account_id, job_id):
            return
    raise AssertionError(f"job {job_id} did not finish in {limit} steps")


def finished(worker: Worker, account_id: int, job_id: int) -> bool:
    with worker.transaction() as cur:
        cur.execute(
            "SELECT status FROM jobs WHERE account_id = %s AND id = %s", (account_id, job_id)
        )
        return cur.fetchone()["status"] in ("succeeded", "failed")


def history_per_ticket(factory, account_id: int, ids: list[int]) -> dict[int, int]:
    rows = factory.sql(
        "SELECT t.id, count(e.id) AS n FROM tickets t LEFT JOIN ticket_events e"
        " ON e.account_id = t.account_id AND e.ticket_id = t.id"
        " WHERE t.account_id = %s AND t.id = ANY(%s) GROUP BY t.id",
        (account_id, ids),
    )
    return {r["id"]: r["n"] for r in rows}


def counts(tenant) -> dict[int, tuple[int, int]]:
    return {
        q["id"]: (q["ticket_count"], q["open_ticket_count"])
        for q in tenant.ok("queues", {})["queues"]
    }


def start_move(tenant, source: int, target: int) -> dict:
    body = tenant.ok("queues/move", {"from_queue_id": source, "to_queue_id": target}, status=202)
    return body["job"]


@pytest.mark.usefixtures("small_limits")
class TestBulkMove:
    def test_small_move_stays_synchronous(self, tenant):
        target = tenant.queue()
        tenant.tickets(tenant.inbox_id, SYNC_LIMIT)
        body = tenant.ok(
            "queues/move", {"from_queue_id": tenant.inbox_id, "to_queue_id": target["id"]}
        )
        assert body["moved"] == SYNC_LIMIT

    def test_large_move_answers_202_and_the_worker_moves_every_ticket_once(
        self, tenant, factory, worker_for
    ):
        target = tenant.queue()
        ids = tenant.tickets(tenant.inbox_id, 95, "open") + tenant.tickets(
            tenant.inbox_id, 10, "solved"
        )
        job = start_move(tenant, tenant.inbox_id, target["id"])
        assert job["kind"] == "queue.move_tickets"
        assert job["status"] == "queued"
        assert (job["total"], job["done"], job["error"]) == (105, 0, None)
        assert job["started_at"] is None and job["finished_at"] is None
        # Nothing moved yet: the request only queued the work.
        assert counts(tenant)[tenant.inbox_id] == (105, 95)

        run_job(worker_for(), tenant.account_id, job["id"])

        done = tenant.ok("jobs/get", {"job_id": job["id"]})["job"]
        assert done["status"] == "succeeded"
        assert (done["total"], done["done"]) == (105, 105)
        assert done["started_at"] and done["finished_at"]
        assert counts(tenant)[tenant.inbox_id] == (0, 0)
        assert counts(tenant)[target["id"]] == (105, 95)
        assert set(history_per_ticket(factory, tenant.account_id, ids).values()) == {1}
        actions = [
            r["action"]
            for r in factory.sql(
                "SELECT action FROM audit_events WHERE account_id = %s ORDER BY id",
                (tenant.account_id,),
            )
        ]
        assert actions[-2:] == ["queue.move_tickets", "job.finish"]

    def test_tickets_added_to_the_source_while_the_job_runs_move_too(
        self, tenant, factory, worker_for
    ):
        target = tenant.queue()
        tenant.tickets(tenant.inbox_id, 50)
        job = start_move(tenant, tenant.inbox_id, target["id"])
        worker = worker_for()
        worker.step()  # claims the job and moves the first chunk
        assert worker.job is not None
        late = tenant.tickets(tenant.inbox_id, 35)  # another service keeps writing
        run_job(worker, tenant.account_id, job["id"])
        done = tenant.ok("jobs/get", {"job_id": job["id"]})["job"]
        assert (done["status"], done["done"], done["total"]) == ("succeeded", 85, 85)
        assert counts(tenant)[target["id"]] == (85, 85)
        assert set(history_per_ticket(factory, tenant.account_id, late).values()) == {1}

    def test_a_second_bulk_job_on_the_same_queue_is_refused_with_the_first_ones_id(self, tenant):
        a, b = tenant.queue(), tenant.queue()
        tenant.tickets(tenant.inbox_id, 40)
        job = start_move(tenant, tenant.inbox_id, a["id"])
        response = tenant.post(
            "queues/move", {"from_queue_id": tenant.inbox_id, "to_queue_id": b["id"]}
        )
        error = assert_error(response, 409, "job_in_progress")
        assert error["details"] == {"job_id": job["id"]}

    def test_queues_of_an_unfinished_job_cannot_be_deleted(self, tenant):
        source, target, other = tenant.queue(), tenant.queue(), tenant.queue()
        tenant.tickets(source["id"], 40)
        job = start_move(tenant, source["id"], target["id"])
        for queue in (source, target):
            response = tenant.post(
                "queues/delete", {"queue_id": queue["id"], "reassign_to_queue_id": other["id"]}
            )
            error = assert_error(response, 409, "job_in_progress")
            assert error["details"] == {"job_id": job["id"]}
        # The empty target without reassignment is refused too: the job is about to fill it.
        response = tenant.post("queues/delete", {"queue_id": target["id"]})
        assert_error(response, 409, "job_in_progress")

    def test_nothing_moves_into_a_queue_that_a_job_is_deleting(self, tenant, factory):
        doomed, other = tenant.queue(), tenant.queue()
        tenant.tickets(doomed["id"], 40)
        tenant.tickets(other["id"], 3)
        deleting = tenant.ok(
            "queues/delete", {"queue_id": doomed["id"], "reassign_to_queue_id": tenant.inbox_id},
            status=202,
        )["job"]  # fmt: skip
        assert deleting["kind"] == "queue.delete"
        response = tenant.post(
            "queues/move", {"from_queue_id": other["id"], "to_queue_id": doomed["id"]}
        )
        error = assert_error(response, 409, "job_in_progress")
        assert error["details"] == {"job_id": deleting["id"]}
        assert counts(tenant)[other["id"]] == (3, 3)

    def test_another_accounts_job_is_not_found(self, tenant, other_tenant):
        tenant.tickets(tenant.inbox_id, 40)
        job = start_move(tenant, tenant.inbox_id, tenant.queue()["id"])
        response = other_tenant.post("jobs/get", {"job_id": job["id"]})
        error = assert_error(response, 404, "not_found")
        assert error["details"] == {"resource": "job", "id": job["id"]}
        assert other_tenant.ok("jobs", {})["jobs"] == []


@pytest.mark.usefixtures("small_limits")
class TestBulkDelete:
    def test_large_delete_moves_every_ticket_then_deletes_the_queue(
        self, tenant, factory, worker_for
    ):
        doomed = tenant.queue()
        ids = tenant.tickets(doomed["id"], 70)
        job = tenant.ok(
            "queues/delete", {"queue_id": doomed["id"], "reassign_to_queue_id": tenant.inbox_id},
            status=202,
        )["job"]  # fmt: skip
        assert counts(tenant)[doomed["id"]] == (70, 70)  # still there until the job ends
        run_job(worker_for(), tenant.account_id, job["id"])

        assert tenant.ok("jobs/get", {"job_id": job["id"]})["job"]["status"] == "succeeded"
        assert doomed["id"] not in counts(tenant)
        assert counts(tenant)[tenant.inbox_id] == (70, 70)
        assert set(history_per_ticket(factory, tenant.account_id, ids).values()) == {1}
        event = factory.one(
            "SELECT actor_user_id, token_id, after FROM audit_events"
            " WHERE account_id = %s AND action = 'queue.delete'",
            (tenant.account_id,),
        )
        assert event["actor_user_id"] == tenant.user_id
        assert event["token_id"] == tenant.token_id
        assert event["after"]["moved"] == 70
        assert event["after"]["job_id"] == job["id"]

    def test_an_escalation_naming_the_queue_meanwhile_fails_the_job_and_keeps_the_queue(
        self, tenant, factory, worker_for
    ):
        doomed = tenant.queue()
        tenant.tickets(doomed["id"], 45)
        job = tenant.ok(
            "queues/delete", {"queue_id": doomed["id"], "reassign_to_queue_id": tenant.inbox_id},
            status=202,
        )["job"]  # fmt: skip
        escalation = tenant.ok(
            "escalations/create",
            {
                "name": "Stuck in the doomed queue",
                "conditions": {"queue_ids": [doomed["id"]]},
                "target": {"metric": "first_response", "minutes": 60},
                "actions": [{"type": "set_priority", "priority": "high"}],
            },
            status=201,
        )["escalation"]
        run_job(worker_for(), tenant.account_id, job["id"])
        failed = tenant.ok("jobs/get", {"job_id": job["id"]})["job"]
        assert failed["status"] == "failed"
        assert failed["error"]["code"] == "queue_in_use"
        assert failed["error"]["details"] == {"escalation_ids": [escalation["id"]]}
        assert counts(tenant)[doomed["id"]] == (0, 0)  # the tickets moved; the queue stays
        assert counts(tenant)[tenant.inbox_id] == (45, 45)


@pytest.mark.usefixtures("small_limits")
class TestResumption:
    def test_a_dead_workers_job_is_resumed_by_another_after_its_lease(
        self, tenant, factory, worker_for
    ):
        target = tenant.queue()
        ids = tenant.tickets(tenant.inbox_id, 90)
        job = start_move(tenant, tenant.inbox_id, target["id"])
        dead = worker_for()
        dead.step()  # claims and moves one chunk, then "dies": no release, no more steps
        assert dead.job is not None
        alive = worker_for()
        alive.step()
        assert alive.job is None or alive.job.id != job["id"]  # the lease still holds
        factory.sql(
            "UPDATE jobs SET lease_expires_at = now() - interval '1 second'"
            " WHERE account_id = %s AND id = %s",
            (tenant.account_id, job["id"]),
        )
        run_job(alive, tenant.account_id, job["id"])
        done = tenant.ok("jobs/get", {"job_id": job["id"]})["job"]
        assert (done["status"], done["done"]) == ("succeeded", 90)
        assert set(history_per_ticket(factory, tenant.account_id, ids).values()) == {1}
        assert (
            factory.one(
                "SELECT attempts FROM jobs WHERE account_id = %s AND id = %s",
                (tenant.account_id, job["id"]),
            )["attempts"]
            == 2
        )

        # The first worker wakes up: its lease is gone, so it drops the job without moving.
        dead.step()
        assert dead.job is None
        assert set(history_per_ticket(factory, tenant.account_id, ids).values()) == {1}

    def test_a_stopping_worker_gives_its_job_back_at_once(self, tenant, factory, worker_for):
        target = tenant.queue()
        tenant.tickets(tenant.inbox_id, 60)
        job = start_move(tenant, tenant.inbox_id, target["id"])
        first = worker_for()
        first.step()
        first.release()
        second = worker_for()
        run_job(second, tenant.account_id, job["id"])
        assert tenant.ok("jobs/get", {"job_id": job["id"]})["job"]["done"] == 60

    def test_two_workers_taking_turns_move_each_ticket_once(self, tenant, factory, worker_for):
        target = tenant.queue()
        ids = tenant.tickets(tenant.inbox_id, 200)
        job = start_move(tenant, tenant.inbox_id, target["id"])
        workers = [worker_for(), worker_for()]
        for turn in range(400):
            workers[turn % 2].step()
            if finished(workers[0], tenant.account_id, job["id"]):
                break
        assert tenant.ok("jobs/get", {"job_id": job["id"]})["job"]["done"] == 200
        assert set(history_per_ticket(factory, tenant.account_id, ids).values()) == {1}


class TestJobEndpoints:
    def test_list_is_newest_first_with_cursor_and_status_filter(
        self, tenant, small_limits, worker_for
    ):
        made = []
        for _ in range(3):
            source = tenant.queue()
            tenant.tickets(source["id"], 35)
            made.append(start_move(tenant, source["id"], tenant.inbox_id)["id"])
        run_job(worker_for(), tenant.account_id, made[0])
        page = tenant.ok("jobs", {"limit": 2})
        assert [j["id"] for j in page["jobs"]] == made[::-1][:2]
        rest = tenant.ok("jobs", {"limit": 2, "cursor": page["next_cursor"]})
        assert [j["id"] for j in rest["jobs"]] == [made[0]]
        assert rest["next_cursor"] is None
        succeeded = tenant.ok("jobs", {"status": "succeeded"})["jobs"]
        assert [j["id"] for j in succeeded] == [made[0]]

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"status": "done"}, "status"),
            ({"limit": 0}, "limit"),
            ({"limit": 201}, "limit"),
            ({"cursor": "YWU6OTgx"}, "cursor"),  # an audit-events cursor is not a job cursor
        ],
    )
    def test_bad_list_queries_are_422(self, tenant, body, field):
        response = tenant.post("jobs", body)
        assert_error(response, 422, "validation_failed", field)

    def test_unknown_job_is_404(self, tenant):
        assert tenant.post("jobs/get", {"job_id": 2**62}).status_code == 404


class TestSchedule:
    def test_each_due_task_runs_once_across_workers(self, factory, worker_for):
        factory.sql("UPDATE worker_schedule SET next_run_at = now()")
        ran: list[str] = []
        workers = [worker_for(), worker_for()]
        for w in workers:
            w.tasks = {name: (lambda name=name: ran.append(name)) for name in w.tasks}
        for w in workers:
            w.run_due_tasks()
        assert sorted(ran) == ["fold_ticket_counts", "purge_idempotency_keys"]
        rows = factory.sql(
            "SELECT task, last_error, next_run_at > now() AS later FROM worker_schedule"
        )
        assert all(r["later"] and r["last_error"] is None for r in rows)

    def test_a_failing_task_records_its_error(self, factory, worker_for):
        factory.sql("UPDATE worker_schedule SET next_run_at = now()")
        worker = worker_for()

        def broken():
            raise RuntimeError("disk on fire")

        worker.tasks = {"purge_idempotency_keys": broken}
        worker.run_due_tasks()
        row = factory.one(
            "SELECT last_error FROM worker_schedule WHERE task = 'purge_idempotency_keys'"
        )
        assert row["last_error"] == "disk on fire"

    def test_purge_forgets_expired_idempotency_keys(self, tenant, factory, worker_for):
        tenant.ok("queues/create", {"name": "Keyed"}, status=201, headers={"Idempotency-Key": "k1"})
        factory.sql(
            "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'"
            " WHERE account_id = %s",
            (tenant.account_id,),
        )
        assert worker_for().purge_idempotency_keys() >= 1
        assert (
            factory.sql(
                "SELECT 1 FROM idempotency_keys WHERE account_id = %s", (tenant.account_id,)
            )
            == []
        )


@pytest.mark.usefixtures("small_limits")
class TestCategoryDelete:
    def categories(self, tenant, *names) -> list[dict]:
        return [tenant.category(n) for n in names]

    def test_a_large_category_is_recategorised_and_deleted_by_a_job(
        self, tenant, factory, worker_for
    ):
        doomed, kept, last = self.categories(tenant, "Doomed", "Kept", "Last")
        ids = tenant.categorise(doomed["id"], 65)
        body = {"id": doomed["id"], "replace_with_id": kept["id"]}
        job = tenant.ok("resolution-categories/delete", body, status=202)["job"]
        assert (job["kind"], job["source_id"], job["target_id"]) == (
            "resolution_category.delete", doomed["id"], kept["id"]
        )  # fmt: skip
        again = tenant.post("resolution-categories/delete", body)
        error = assert_error(again, 409, "job_in_progress")
        assert error["details"] == {"job_id": job["id"]}
        into = tenant.post(
            "resolution-categories/delete", {"id": last["id"], "replace_with_id": doomed["id"]}
        )
        assert_error(into, 409, "job_in_progress")
        tenant.categorise(doomed["id"], 5)  # another service keeps using it meanwhile

        run_job(worker_for(), tenant.account_id, job["id"])

        done = tenant.ok("jobs/get", {"job_id": job["id"]})["job"]
        assert (done["status"], done["done"]) == ("succeeded", 70)
        listed = tenant.ok("resolution-categories", {})["resolution_categories"]
        assert [(c["name"], c["position"], c["ticket_count"]) for c in listed] == [
            ("Kept", 1, 70),
            ("Last", 2, 0),
        ]
        assert {
            r["resolution_category_id"]
            for r in factory.sql(
                "SELECT resolution_category_id FROM tickets WHERE account_id = %s AND id = ANY(%s)",
                (tenant.account_id, ids),
            )
        } == {kept["id"]}
        event = factory.one(
            "SELECT after FROM audit_events WHERE account_id = %s"
            " AND action = 'resolution_category.delete'",
            (tenant.account_id,),
        )
        assert event["after"]["recategorised"] == 70
        assert event["after"]["job_id"] == job["id"]
