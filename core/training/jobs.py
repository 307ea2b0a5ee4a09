"""Background jobs: training runs off the UI thread, report progress through a callback, can be cancelled.

A page starts a job, keeps its id in the session, and polls `Job.snapshot()`; the job knows nothing
about the UI. Jobs live in a process-wide registry so navigating away and back finds the same run, and
each browser session only sees the ids it started.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from core import config
from core.lib.threads import use_threads

# Finished jobs kept for pages to show their final curves.
MAX_FINISHED_JOBS = 32


class Cancelled(Exception):
    """Raised inside a job's work function when the user pressed cancel."""


@dataclass
class Progress:
    """One progress report: where the run is and its latest metrics."""

    step: int
    total_steps: int
    metrics: dict[str, float] = field(default_factory=dict)  # e.g. {"loss": 2.1, "val_accuracy": 0.8}
    message: str = ""


@dataclass(frozen=True)
class JobSnapshot:
    """What a page draws: status, progress, the metric history and the result or error."""

    job_id: str
    name: str
    status: str  # "running", "done", "cancelled", "failed"
    step: int
    total_steps: int
    eta_s: float | None
    history: list[dict]  # every report: {"step": …, "elapsed_s": …, **metrics}
    message: str
    result: object
    error: str | None


class Job:
    """A function run in a daemon thread with a progress callback and a cancel flag."""

    def __init__(self, name: str, work: Callable[[Job], object], owner: str = ""):
        self.job_id = uuid.uuid4().hex[:12]
        self.name = name
        self.owner = owner  # the browser session that started it ("" outside a browser)
        self._work = work
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._started = time.time()
        self._status, self._result, self._error, self._message = "running", None, None, ""
        self._step, self._total = 0, 0
        self._history: list[dict] = []
        self._thread = threading.Thread(target=self._run, name=f"job-{name}", daemon=True)

    def start(self) -> Job:
        self._thread.start()
        return self

    def report(self, progress: Progress) -> None:
        """The callback a work function calls; raises Cancelled when the user asked to stop."""
        with self._lock:
            self._step, self._total, self._message = progress.step, progress.total_steps, progress.message
            if progress.metrics:
                self._history.append(
                    {"step": progress.step, "elapsed_s": time.time() - self._started, **progress.metrics}
                )
        use_threads(job_threads())  # jobs started or ended since: the share changed
        if self._cancel.is_set():
            raise Cancelled()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _run(self) -> None:
        use_threads(job_threads())  # its share of the cores, whatever count this thread inherited
        try:
            result, status, error = self._work(self), "done", None
        except Cancelled:
            result, status, error = None, "cancelled", None
        except Exception as err:  # a crashed run is reported on the page, never raised into the UI
            result, status, error = None, "failed", f"{err}\n{traceback.format_exc(limit=3)}"
        with self._lock:
            self._result, self._status, self._error = result, status, error

    def wait(self, timeout: float | None = None) -> JobSnapshot:
        self._thread.join(timeout)
        return self.snapshot()

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            elapsed = time.time() - self._started
            eta = elapsed / self._step * (self._total - self._step) if self._step and self._total else None
            return JobSnapshot(self.job_id, self.name, self._status, self._step, self._total,
                               eta if self._status == "running" else None, list(self._history),
                               self._message, self._result, self._error)


_JOBS: dict[str, Job] = {}
_REGISTRY_LOCK = threading.Lock()


def start_job(name: str, work: Callable[[Job], object], owner: str = "") -> Job:
    """Start `work(job)` in the background and register it; returns the job (keep job.job_id). A job with an
    `owner` (a browser session) is refused with a ValueError while that owner runs another job, or while
    config.MAX_RUNNING_JOBS owned jobs run on the server; the check and the registration are one step."""
    job = Job(name, work, owner)
    with _REGISTRY_LOCK:
        if owner:
            _check_room(owner)
        _JOBS[job.job_id] = job
        finished = [j for j in _JOBS.values() if j.snapshot().status != "running"]
        for old in finished[:-MAX_FINISHED_JOBS]:
            _JOBS.pop(old.job_id, None)
    return job.start()


def _check_room(owner: str) -> None:
    """ValueError when `owner` already runs a job or the server runs its limit of owned jobs (registry locked)."""
    running = [j for j in _running() if j.owner]
    mine = [j.name for j in running if j.owner == owner]
    if mine:
        raise ValueError(f"this session is already running {mine[0]!r}: wait for it to finish or cancel it, "
                         "then start the next run")
    if len(running) >= config.MAX_RUNNING_JOBS:
        raise ValueError(f"the server is already running {len(running)} training jobs, its limit "
                         "(BERT_EXPLORER_MAX_JOBS): try again when one has finished")


def job_threads() -> int:
    """A running job's CPU threads: config.JOB_THREADS when set, else its fair share of the cores."""
    return config.JOB_THREADS or max(1, config.CPU_CORES // max(1, len(running_jobs())))


def running_jobs() -> list[Job]:
    """Every job still running in this server process, whichever session started it."""
    with _REGISTRY_LOCK:
        return _running()


def _running() -> list[Job]:
    return [j for j in _JOBS.values() if j.snapshot().status == "running"]


def get_job(job_id: str | None) -> Job | None:
    """The job with this id, if the process still knows it."""
    with _REGISTRY_LOCK:
        return _JOBS.get(job_id) if job_id else None
