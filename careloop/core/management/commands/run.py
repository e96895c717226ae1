"""careloop run: the embedded server (web and background work in one process)."""

from __future__ import annotations

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from careloop.core.demo import ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Serve Careloop with a background worker in the same process (Ctrl-C stops both)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        import waitress
        from django.core.management import call_command

        from careloop.core.worker import start_sweeper, task_worker
        from config.wsgi import application

        # Embedded mode owns its database: bring it up to date before serving (an upgraded
        # checkout would otherwise fail on its first page).
        call_command("migrate", interactive=False, verbosity=0)

        from django.conf import settings

        url = f"http://{options['host']}:{options['port']}/"
        if not settings.CARELOOP_BASE_URL:
            # Links in emails sent by the worker (follow-ups, pages) point at this server.
            settings.CARELOOP_BASE_URL = url.rstrip("/")
        stop = threading.Event()
        start_sweeper(stop)
        worker = task_worker()
        threading.Thread(target=worker.run, name="careloop-tasks", daemon=True).start()
        self.stdout.write(self.style.SUCCESS(f"\nCareloop is running at {url}"))
        self.stdout.write(f"Demo logins (password '{DEMO_PASSWORD}' for all):")
        for username, _first, _last, role, _f, _u in ACCOUNTS:
            self.stdout.write(f"  {username:<20} {role.label}")
        self._print_public_links(url)
        self.stdout.write("Press Ctrl-C to stop.\n")
        try:
            waitress.serve(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                _quiet=True,
            )
        except KeyboardInterrupt:
            pass
        finally:
            worker.running = False
            stop.set()
            self.stdout.write("Careloop stopped.")

    def _print_public_links(self, url: str) -> None:
        """Where clients file, without signing in (the QR posters carry the unit links)."""
        from careloop.orgs.models import Facility

        facilities = list(Facility.objects.filter(active=True).order_by("name")[:5])
        if facilities:
            self.stdout.write("Public intake forms (no sign-in; kiosk mode at /k/<code>/):")
        for facility in facilities:
            self.stdout.write(f"  {facility.name:<32} {url}f/{facility.intake_code}/")
