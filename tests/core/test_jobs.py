"""Background jobs: progress through a callback, cancellation, failures reported not raised."""

import time

from core.training import jobs


def count_to(n):
    def work(job):
        for step in range(1, n + 1):
            time.sleep(0.01)
            job.report(jobs.Progress(step, n, {"loss": 1.0 / step}))
        return "finished"
    return work


def test_job_reports_progress_and_result():
    job = jobs.start_job("count", count_to(5))
    snap = job.wait(10)
    assert snap.status == "done" and snap.result == "finished"
    assert [h["step"] for h in snap.history] == [1, 2, 3, 4, 5]
    assert jobs.get_job(job.job_id) is job


def test_cancel_stops_the_job():
    job = jobs.start_job("long", count_to(10_000))
    time.sleep(0.05)
    job.cancel()
    snap = job.wait(10)
    assert snap.status == "cancelled" and snap.step < 10_000


def test_a_crash_is_reported_on_the_snapshot():
    def boom(job):
        raise RuntimeError("out of memory")

    snap = jobs.start_job("boom", boom).wait(10)
    assert snap.status == "failed" and "out of memory" in snap.error
