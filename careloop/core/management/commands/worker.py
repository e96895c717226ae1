"""careloop worker: run background workers as separate processes."""

from __future__ import annotations

import multiprocessing
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections


def _child() -> None:
    from careloop.core.worker import start_sweeper, task_worker

    stop = threading.Event()
    start_sweeper(stop)
    worker = task_worker()
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()


class Command(BaseCommand):
    help = "Run background workers (tasks and clock sweeps) as separate processes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--processes", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        count = max(1, int(options["processes"]))
        connections.close_all()
        context = multiprocessing.get_context("fork")
        children = [
            context.Process(target=_child, name=f"careloop-worker-{i}") for i in range(count)
        ]
        for child in children:
            child.start()
        self.stdout.write(f"Started {count} worker processes: {[c.pid for c in children]}")

        def stop(signum: int, frame: FrameType | None) -> None:
            for child in children:
                if child.is_alive() and child.pid:
                    child.terminate()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        for child in children:
            child.join()
