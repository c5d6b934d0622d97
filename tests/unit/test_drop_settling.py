"""The drop folder waits for a file to settle on its clock: still growing, it waits on; empty,
it gets a grace period; gone, it is dropped. An instant clock makes each wait exact."""

from __future__ import annotations

from pathlib import Path

from local_runtime.dropbox import EMPTY_GRACE_SECONDS, SETTLE_SECONDS, _wait_until_settled
from tests.instant_clock import InstantClock


class WriterClock(InstantClock):
    """An editor still writing: each wait of the drop folder sees a few more bytes."""

    def __init__(self, path: Path, writes: int) -> None:
        super().__init__()
        self.path, self.writes, self.waits = path, writes, 0

    def sleep(self, seconds: float, /) -> None:
        super().sleep(seconds)
        self.waits += 1
        if self.writes:
            self.writes -= 1
            with self.path.open("ab") as file:
                file.write(b"Maya Chen: more of the session.\n")


def test_a_file_still_growing_is_waited_for_until_its_size_holds(tmp_path: Path):
    path = tmp_path / "session.txt"
    path.write_bytes(b"Maya Chen: Welcome back.\n")
    clock = WriterClock(path, writes=3)
    assert _wait_until_settled(path, clock)
    # one wait per growth, then one that saw the size hold
    assert clock.writes == 0 and clock.waits == 4
    assert clock.monotonic() == 4 * SETTLE_SECONDS


def test_an_empty_file_gets_the_grace_period_before_it_counts_as_settled(tmp_path: Path):
    path = tmp_path / "empty.txt"
    path.touch()
    clock = InstantClock()
    assert _wait_until_settled(path, clock)
    assert EMPTY_GRACE_SECONDS <= clock.monotonic() < EMPTY_GRACE_SECONDS + SETTLE_SECONDS


def test_an_empty_file_written_during_its_grace_is_taken_with_its_content(tmp_path: Path):
    path = tmp_path / "opened.txt"
    path.touch()
    clock = WriterClock(path, writes=1)  # the content arrives at the first wait
    assert _wait_until_settled(path, clock)
    assert clock.monotonic() == 2 * SETTLE_SECONDS < EMPTY_GRACE_SECONDS


class RemoverClock(InstantClock):
    """A coach who deletes the file again while it settles."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def sleep(self, seconds: float, /) -> None:
        super().sleep(seconds)
        self.path.unlink(missing_ok=True)


def test_a_file_gone_before_it_settled_is_not_processed(tmp_path: Path):
    path = tmp_path / "gone.txt"
    path.write_bytes(b"Maya Chen: hello.\n")
    assert not _wait_until_settled(path, RemoverClock(path))
