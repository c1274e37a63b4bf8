"""TaskRunner: the one owner of every asyncio task started from the GUI.

Views never create tasks. A sync slot calls::

    runner.submit(lambda: fetch(url), on_ok=self._show, on_error=self._show_error,
                  owner=self, key="fetch")

The runner keeps a strong reference to each task until it finishes; a new task with the same
(owner, key) cancels the older one (latest request wins); a ``UserError`` goes to ``on_error``
(inline feedback) or, without one, to the ``user_error`` signal; anything else goes to the
ErrorReporter. Callbacks are skipped when their owner widget was deleted during the await.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

from tokenlab.core.errors import UserError
from tokenlab.gui.errors import ErrorReporter

if TYPE_CHECKING:
    # asyncio is imported when first used, so the window can appear before it is loaded
    import asyncio

T = TypeVar("T")
log = logging.getLogger(__name__)

TaskKey = tuple[int, str]


@dataclass
class _Job:
    task: asyncio.Task[Any]
    owner: QObject | None
    key: TaskKey | None
    label: str
    tracked: bool
    on_owner_destroyed: Callable[..., None]


class TaskRunner(QObject):
    """Runs coroutines on the running (qasync) loop and delivers results to Qt callbacks."""

    busy_changed = Signal(bool)
    activity_changed = Signal(str)  # label of the newest tracked job, "" when idle
    user_error = Signal(object)  # a UserError nobody handled inline

    def __init__(self, reporter: ErrorReporter, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reporter = reporter
        self._jobs: dict[asyncio.Task[Any], _Job] = {}
        self._by_key: dict[TaskKey, asyncio.Task[Any]] = {}
        self._closed = False

    # public API --------------------------------------------------------------------------------

    def submit(
        self,
        make_coro: Callable[[], Awaitable[T]],
        *,
        on_ok: Callable[[T], object] | None = None,
        on_error: Callable[[UserError], object] | None = None,
        owner: QObject | None = None,
        key: str | None = None,
        label: str = "",
        track_busy: bool = True,
    ) -> asyncio.Task[T]:
        """Start ``make_coro()`` as a task; see the module docstring for the rules.

        ``track_busy=False`` is for long-lived tasks (live connections) that should not keep
        the busy indicator spinning.
        """
        if self._closed:
            raise RuntimeError("TaskRunner is closed")
        task_key = (id(owner) if owner is not None else 0, key) if key is not None else None
        if task_key is not None and (older := self._by_key.get(task_key)) is not None:
            older.cancel()
        import asyncio

        task: asyncio.Task[T] = asyncio.ensure_future(self._run(make_coro))

        def on_owner_destroyed(*_: object) -> None:
            task.cancel()

        job = _Job(task, owner, task_key, label, track_busy, on_owner_destroyed)
        self._jobs[task] = job
        if task_key is not None:
            self._by_key[task_key] = task
        if owner is not None:
            owner.destroyed.connect(job.on_owner_destroyed)
        task.add_done_callback(lambda t: self._finished(t, job, on_ok, on_error))
        if track_busy:
            self._emit_busy()
        return task

    def cancel(self, key: str, owner: QObject | None = None) -> bool:
        """Cancel the running task with this key (and owner); True if there was one."""
        task = self._by_key.get((id(owner) if owner is not None else 0, key))
        if task is None or task.done():
            return False
        task.cancel()
        return True

    @property
    def busy(self) -> bool:
        return any(job.tracked for job in self._jobs.values())

    @property
    def task_count(self) -> int:
        return len(self._jobs)

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every task submitted so far (and any they submit) has finished."""
        import asyncio

        async with asyncio.timeout(timeout):
            while self._jobs:
                await asyncio.wait(list(self._jobs))

    async def aclose(self) -> None:
        """Cancel everything and wait for the tasks to unwind (call while the loop runs)."""
        import asyncio

        self._closed = True
        tasks = list(self._jobs)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5.0)

    async def __aenter__(self) -> TaskRunner:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # internals ---------------------------------------------------------------------------------

    @staticmethod
    async def _run(make_coro: Callable[[], Awaitable[T]]) -> T:
        return await make_coro()

    def _emit_busy(self) -> None:
        tracked = [job for job in self._jobs.values() if job.tracked]
        self.busy_changed.emit(bool(tracked))
        self.activity_changed.emit(tracked[-1].label if tracked else "")

    def _finished(
        self,
        task: asyncio.Task[Any],
        job: _Job,
        on_ok: Callable[[Any], object] | None,
        on_error: Callable[[UserError], object] | None,
    ) -> None:
        self._jobs.pop(task, None)
        if job.key is not None and self._by_key.get(job.key) is task:
            del self._by_key[job.key]
        if job.owner is not None and shiboken6.isValid(job.owner):
            job.owner.destroyed.disconnect(job.on_owner_destroyed)
        if job.tracked and shiboken6.isValid(self):
            self._emit_busy()
        if task.cancelled():
            return
        if job.owner is not None and not shiboken6.isValid(job.owner):
            log.debug("skipping callbacks of %r: owner deleted", task)
            return
        self._deliver(task, on_ok, on_error)

    def _deliver(
        self,
        task: asyncio.Task[Any],
        on_ok: Callable[[Any], object] | None,
        on_error: Callable[[UserError], object] | None,
    ) -> None:
        exc = task.exception()
        try:
            if exc is None:
                if on_ok is not None:
                    on_ok(task.result())
            elif isinstance(exc, UserError):
                if on_error is not None:
                    on_error(exc)
                else:
                    self.user_error.emit(exc)
            else:
                self._reporter.report(exc, "a background task")
        except Exception as callback_exc:  # a bug in a callback: report, keep running
            self._reporter.report(callback_exc, "a task callback")
