"""Run the inbound email sweep in a child process that kills itself (SIGKILL: no cleanup, no
rollback handlers, as when a machine loses power) at a chosen moment of the N-th message.

    python -m careloop.mail.tests.kill_worker <moment> <n>

moment: "mid-transaction" (the case is written, not committed), "after-commit" (committed,
not flagged on the server) or "after-flag" (flagged, the next message not started)."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any


def _kill_on(n: int, before: bool, target: Callable[..., Any]) -> Callable[..., Any]:
    calls = 0

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if before and calls == n:
            os.kill(os.getpid(), signal.SIGKILL)
        result = target(*args, **kwargs)
        if not before and calls == n:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    return wrapper


def main(moment: str, n: int) -> None:
    import django

    django.setup()
    from careloop.mail import fetch, receive
    from careloop.mail.imap import Session

    if moment == "mid-transaction":
        receive._settle = _kill_on(n, True, receive._settle)
    elif moment == "after-commit":
        fetch.mail_message_receive = _kill_on(  # type: ignore[attr-defined]  # test hook
            n,
            False,
            fetch.mail_message_receive,  # type: ignore[attr-defined]  # test hook
        )
    elif moment == "after-flag":
        Session.mark_processed = _kill_on(n, False, Session.mark_processed)  # type: ignore[method-assign]  # test hook
    else:
        raise SystemExit(f"unknown moment {moment!r}")
    fetch.mail_sweep()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
