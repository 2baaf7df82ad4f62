"""Long work off the UI thread, with progress and cancel.

The work is a plain function taking a progress object with ``report(done, total,
text)`` and ``cancelled()`` (the services' protocol, no Qt). It runs in a
QThreadPool; its result or error comes back on the main thread. A progress dialog
appears only if the work is still running after 600 ms, whether or not it reports.
Most window tests set ``INLINE`` so work runs at once on the calling thread;
tests/ui/test_worker_thread.py runs the real pool (dialog, Cancel, the worker thread).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

DIALOG_DELAY_MS = 600


class Progress:
    """Handed to the work: thread-safe, no Qt calls from the worker."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self.done = 0
        self.total = 0
        self.text = ""

    def report(self, done: int, total: int, text: str = "") -> None:
        self.done, self.total, self.text = done, total, text

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], progress: Progress, signals: _Signals) -> None:
        super().__init__()
        self.fn, self.progress, self.signals = fn, progress, signals

    def run(self) -> None:
        try:
            result = self.fn(self.progress)
        except BaseException as exc:  # delivered to the main thread, shown there
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


class TaskRunner(QObject):
    INLINE = False  # tests: run work immediately on the calling thread

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one worker: database work is serialised anyway
        self.busy = False

    def run(self, title: str, fn: Callable[[Progress], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None], *, inline: bool = False, dialog: bool = True,
            cancellable: bool = True) -> Progress:
        """Run ``fn`` on the worker (or at once if ``inline`` or ``INLINE``).

        ``dialog=False``: background work the officer did not ask for (the Overview,
        warming up charts) never shows a progress dialog. ``cancellable=False``: work
        that cannot stop part way (a save) shows its dialog without a Cancel button."""
        progress = Progress()
        if inline or self.INLINE:
            try:
                result = fn(progress)
            except BaseException as exc:
                on_error(exc)
            else:
                on_done(result)
            return progress
        signals = _Signals(self)
        state: dict[str, Any] = {"dialog": None, "running": True}
        timer = QTimer(self)
        timer.setInterval(100)
        # The delay is a timer owned by this runner, so it dies with the window (a free
        # singleShot would fire into a window already closed).
        delay = QTimer(self)
        delay.setSingleShot(True)
        delay.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire up to 5% early

        def show_dialog() -> None:
            # Only work still running after 600 ms gets a dialog: quick work flickers nothing.
            if not state["running"]:
                return
            box = QProgressDialog(title, "Cancel", 0, 0, self.parent_widget)
            box.setObjectName("progress_dialog")
            box.setAccessibleName(title)
            box.setWindowTitle("cypdesk")
            box.setWindowModality(Qt.WindowModality.WindowModal)
            box.setMinimumDuration(0)
            if cancellable:
                box.canceled.connect(progress.cancel)
            else:
                box.setCancelButton(None)
            state["dialog"] = box
            box.show()  # now: work that never reports (an open) would otherwise never show it
            timer.start()

        def tick() -> None:
            box = state["dialog"]
            if box is None:
                return
            if progress.total:
                box.setMaximum(progress.total)
                box.setValue(min(progress.done, progress.total))
            if progress.text:
                box.setLabelText(f"{title}\n{progress.text}")

        def finish() -> None:
            state["running"] = False
            timer.stop()
            delay.stop()
            timer.deleteLater()
            delay.deleteLater()
            if state["dialog"] is not None:
                state["dialog"].reset()
                state["dialog"].deleteLater()
            self.busy = False

        signals.finished.connect(lambda result: (finish(), on_done(result)))
        signals.failed.connect(lambda exc: (finish(), on_error(exc)))
        timer.timeout.connect(tick)
        delay.timeout.connect(show_dialog)
        if dialog:
            delay.start(DIALOG_DELAY_MS)
        self.busy = True
        self.pool.start(_Job(fn, progress, signals))
        return progress

    def run_and_wait(self, title: str, fn: Callable[[Progress], Any], *, cancellable: bool = True) -> Any:
        """Run ``fn`` on the worker while the window keeps painting (a local event loop),
        and return its result or raise its error: for work whose answer the caller needs
        at once, such as Save before closing."""
        from PySide6.QtCore import QEventLoop

        outcome: dict[str, Any] = {}
        loop = QEventLoop(self)

        def done(result: Any) -> None:
            outcome["result"] = result
            loop.quit()

        def failed(exc: BaseException) -> None:
            outcome["error"] = exc
            loop.quit()

        self.run(title, fn, done, failed, cancellable=cancellable)
        if not outcome:  # not finished inline
            loop.exec()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("result")

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)
