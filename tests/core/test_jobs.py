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


def test_running_jobs_share_the_cores_and_never_change_the_callers_threads(monkeypatch):
    """The thread policy (core/lib/threads.py): one job alone takes every core, two take half each, re-taken at
    every step; the thread that started them keeps its count. Events order the steps: no timing."""
    import threading

    import torch

    from core import config

    monkeypatch.setattr(config, "CPU_CORES", 4)
    monkeypatch.setattr(config, "JOB_THREADS", None)
    caller = torch.get_num_threads()
    seen, first_running, second_running, second_done = {}, threading.Event(), threading.Event(), threading.Event()

    def first(job):
        seen["alone"] = torch.get_num_threads()
        first_running.set()
        second_running.wait(10)
        job.report(jobs.Progress(1, 2))
        seen["shared"] = torch.get_num_threads()
        second_done.wait(10)
        job.report(jobs.Progress(2, 2))
        seen["alone again"] = torch.get_num_threads()

    def second(job):
        seen["second"] = torch.get_num_threads()
        second_running.set()
        while "shared" not in seen:
            job.report(jobs.Progress(0, 1))  # still running while the first job takes its share
            time.sleep(0.001)

    one = jobs.start_job("first", first)
    first_running.wait(10)
    two = jobs.start_job("second", second)
    two.wait(10)
    second_done.set()
    one.wait(10)
    assert seen == {"alone": 4, "second": 2, "shared": 2, "alone again": 4}
    assert torch.get_num_threads() == caller


def test_a_fixed_job_thread_count_wins(monkeypatch):
    import torch

    from core import config

    monkeypatch.setattr(config, "JOB_THREADS", 1)
    assert jobs.start_job("one thread", lambda job: torch.get_num_threads()).wait(10).result == 1
