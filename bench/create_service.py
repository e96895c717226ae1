"""Case creation through the service (case_open), in-process, on the benchmark database."""

from __future__ import annotations

import time

from common import percentiles, setup_django

setup_django()

from careloop.cases.models import Channel, Kind, ReporterType  # noqa: E402
from careloop.cases.services import NewCase, case_open  # noqa: E402
from careloop.core.time import utcnow  # noqa: E402
from careloop.orgs.models import Unit, User  # noqa: E402

COUNT = 500


def main() -> None:
    actor = User.objects.get(username="advocate")
    unit = Unit.objects.get(name="4 West Medical")
    times = []
    started = time.perf_counter()
    for i in range(COUNT):
        data = NewCase(
            facility=unit.facility,
            unit=unit,
            kind=Kind.GRIEVANCE if i % 3 else Kind.COMPLAINT,
            reporter_type=ReporterType.FAMILY,
            channel=Channel.PHONE,
            narrative=f"Benchmark case {i}: the call bell was not answered for forty minutes.",
        )
        t0 = time.perf_counter()
        case_open(actor=actor, data=data, now=utcnow())
        times.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    print(f"case_open through the service: {COUNT / elapsed:.0f} cases/s; {percentiles(times)}")


main()
