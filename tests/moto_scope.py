"""moto for tests that share a process with the local platform."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from moto import mock_aws


@contextmanager
def scoped_mock_aws(*backends, config: dict | None = None) -> Iterator[None]:
    """``mock_aws`` without its global reset of every moto backend.

    Entering or leaving ``mock_aws`` normally resets *all* moto backends, including the
    Step Functions parser backend that the session-scoped local platform runs the pipeline
    in; later tests using that platform would find no state machine. Only the backends this
    module uses are reset, before and after.
    """

    def reset() -> None:
        for backend in backends:
            for account in list(backend.values()):
                account.reset()

    reset()
    mock = mock_aws(config=config)
    mock.start(reset=False)
    try:
        yield
    finally:
        mock.stop(remove_data=False)
        reset()
