"""The ports a use case may need, gathered in one object by the composition root."""

from __future__ import annotations

import uuid
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from coaching.ports import (
    Analyzer,
    Coaches,
    CoachSockets,
    Mailer,
    Notifications,
    ObjectStore,
    Organizations,
    Participants,
    Results,
    SearchPorts,
    Sessions,
    StepLedger,
    Transcripts,
)
from coaching.ports.audit import AuditLog
from coaching.ports.coach_notices import NoticePorts
from coaching.ports.search_index import ReindexCheckpoints
from coaching.ports.transactions import Transactions


class CallByCall:
    """Transactions where every storage call is its own: nothing to share or release."""

    def scoped(self, org: uuid.UUID) -> AbstractContextManager[None]:
        return nullcontext()

    def outside(self) -> AbstractContextManager[None]:
        return nullcontext()


@dataclass(frozen=True)
class Dependencies:
    organizations: Organizations
    coaches: Coaches
    sessions: Sessions
    transcripts: Transcripts
    participants: Participants
    results: Results
    search: SearchPorts  # the passage store, the two indexes, the embedder (search_indexing.py)
    step_ledger: StepLedger
    notifications: Notifications
    objects: ObjectStore
    analyzer: Analyzer
    mailer: Mailer
    # The drop folder's coach (usecases/session_coach.py): whose a dropped file is. Notices
    # never go here; they go to each session's own coach (usecases/coach_notice.py).
    coach_email: str
    coach_name: str | None
    review_base_url: str
    max_transcript_bytes: int
    sockets: CoachSockets
    audit: AuditLog | None = None  # system events (an integrity failure); None: not recorded
    # Steps that share one transaction (pipeline_steps.py) open it here; the default gives
    # each storage call its own, as the in-memory fakes need.
    transactions: Transactions = field(default_factory=CallByCall)
    # The coach's notice preferences and the queue of held notices (coach_notice.py); None
    # (the pipeline's unit fakes): every notice goes at once.
    notices: NoticePorts | None = None
    # Where `coach search reindex` got to (search_indexing.reindex); None: it cannot resume.
    reindex_checkpoints: ReindexCheckpoints | None = None
