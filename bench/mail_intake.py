"""Inbound email throughput: messages delivered to a real Dovecot on loopback (IMAPS), read by
the sweep into the bench database (cases through case_open, replies as client notes).

    .venv/bin/python bench/mail_intake.py [--messages 400] [--sqlite]

By default against the PostgreSQL bench database; --sqlite uses a fresh SQLite file (WAL, as in
the embedded mode) with one facility.

Prints messages/s for the whole sweep and the latency per message (fetch over IMAP, parse,
the case's transaction, the flag on the server). Delivery into Dovecot is not counted. Adds
its own cases and a bench mailbox to the facility it uses; changes nothing else."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PLAIN = (
    "From: Client {n} <client{n}@example.org>\r\nTo: concerns@bench.test\r\n"
    "Subject: Waited for pain relief (bench {run}-{n})\r\n"
    "Message-ID: <bench.{run}.{n}@example.org>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "My father was admitted on Saturday. He waited more than four hours for pain relief and\r\n"
    "nobody answered the call bell. I would like someone to explain what happened.\r\n"
)
HTML = (
    "From: Cliente {n} <cliente{n}@example.it>\r\nTo: concerns@bench.test\r\n"
    "Subject: Reclamo {run}-{n}\r\nMessage-ID: <bench.{run}.{n}@example.it>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<html><body><p>Mia madre &egrave; rimasta senza acqua per tutta la notte e il campanello "
    "non funzionava.</p><ul><li>Nessuno &egrave; venuto</li></ul></body></html>\r\n"
)
MULTIPART = (
    "From: Cliente {n} <cliente{n}@example.es>\r\nTo: concerns@bench.test\r\n"
    "Subject: Queja {run}-{n}\r\nMessage-ID: <bench.{run}.{n}@example.es>\r\n"
    'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
    "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
    "Mi madre no recibi\xf3 la cena durante dos d\xedas y nadie nos explic\xf3 por qu\xe9.\r\n"
    '--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="f.pdf"\r\n'
    "Content-Transfer-Encoding: base64\r\n\r\n" + "JVBERi0xLjQKJSVFT0YK\r\n" * 200 + "--b--\r\n"
)
REPLY = (
    "From: Client {k} <client{k}@example.org>\r\nTo: concerns@bench.test\r\n"
    "Subject: Re: Waited for pain relief\r\nMessage-ID: <bench.{run}.{n}.reply@example.org>\r\n"
    "In-Reply-To: <bench.{run}.{k}@example.org>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nOne more thing: it was the night shift.\r\n"
    "\r\nOn Monday, the hospital wrote:\r\n> Thank you\r\n"
)


WARM_UP = 10


def message(n: int, run: str) -> bytes:
    kind = n % 10
    if kind == 7:
        return HTML.format(n=n, run=run).encode()
    if kind == 8:
        return MULTIPART.format(n=n, run=run).encode("latin-1")
    if kind == 9:
        return REPLY.format(n=n, k=n - 9, run=run).encode()
    return PLAIN.format(n=n, run=run).encode()


def _facility() -> Any:
    from careloop.orgs.models import Facility, Organization

    org = Organization.objects.create(name="Bench", slug="bench", reference_prefix="BM")
    return Facility.objects.create(
        organization=org,
        name="Bench General",
        setting="hospital",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
        holiday_calendar="us_federal",
        policy_packs=["us.hospital.grievance", "house.standard"],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    if args.sqlite:
        folder = tempfile.mkdtemp(prefix="careloop-mail-bench-")
        os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import ensure_database, percentiles, setup_django

    if not args.sqlite:
        ensure_database()
    os.environ.setdefault("CARELOOP_TASK_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    os.environ.setdefault("CARELOOP_BASE_URL", "https://care.example.org")
    os.environ.setdefault("CARELOOP_MAIL_PER_SENDER_PER_HOUR", "1000")
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from careloop.core.time import utcnow
    from careloop.mail import fetch
    from careloop.mail.models import Mailbox, TlsMode
    from careloop.mail.tests.dovecot import LOOPBACK, Dovecot
    from careloop.orgs.models import Facility

    server = Dovecot()
    os.environ["SSL_CERT_FILE"] = str(server.cert)
    try:
        username, password = server.account()
        facility = _facility() if args.sqlite else Facility.objects.order_by("pk").first()
        if facility is None:
            raise SystemExit("No facility in the bench database: run bench/setup_db.py first.")
        now = utcnow()
        Mailbox.objects.update_or_create(
            facility=facility,
            defaults={
                "address": "concerns@bench.test",
                "host": LOOPBACK,
                "port": server.imaps_port,
                "tls_mode": TlsMode.IMPLICIT,
                "username": username,
                "password": password,
                "enabled": True,
                "created_at": now,
                "updated_at": now,
            },
        )
        mailbox = Mailbox.objects.select_related("facility__organization").get(facility=facility)
        # Warm up as a long-running worker is: URL resolver, templates, screening rules.
        for n in range(WARM_UP):
            server.append(username, password, message(n, "warm-up"))
        fetch.mailbox_fetch(mailbox=mailbox, limit=WARM_UP)
        run = str(int(time.time()))
        started = time.perf_counter()
        for n in range(args.messages):
            server.append(username, password, message(n, run))
        delivered = time.perf_counter() - started

        samples: list[float] = []
        receive_one = fetch._receive_one

        def timed(*a: object, **k: object) -> str:
            t0 = time.perf_counter()
            try:
                return receive_one(*a, **k)  # type: ignore[arg-type]
            finally:
                samples.append((time.perf_counter() - t0) * 1000)

        fetch._receive_one = timed
        started = time.perf_counter()
        outcomes = fetch.mailbox_fetch(mailbox=mailbox, limit=args.messages)
        elapsed = time.perf_counter() - started
    finally:
        server.stop()

    print(f"database: {os.environ['DATABASE_URL'].rsplit('@', 1)[-1]}")
    print(f"delivered {args.messages} messages into Dovecot in {delivered:.1f} s (not counted)")
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    print(
        f"swept {sum(outcomes.values())} messages in {elapsed:.2f} s: "
        f"{sum(outcomes.values()) / elapsed:.1f} messages/s (target >= 20/s)"
    )
    print(f"per message (fetch, parse, transaction; flag excluded): {percentiles(samples)}")


if __name__ == "__main__":
    main()
