"""Small Protocols naming what use cases need from the outside world."""

from coaching.ports.analyzer import Analyzer
from coaching.ports.coaches import Coaches
from coaching.ports.mailer import Mailer
from coaching.ports.notifications import Notifications
from coaching.ports.objects import ObjectStore
from coaching.ports.organizations import Organizations
from coaching.ports.participants import Participants
from coaching.ports.results import Results
from coaching.ports.search_index import SearchPorts
from coaching.ports.sessions import Sessions
from coaching.ports.sockets import CoachSockets, SocketConnections
from coaching.ports.step_ledger import StepLedger
from coaching.ports.transcripts import Transcripts
from coaching.ports.workflow import ExecutionResult, Workflow

__all__ = [
    "Analyzer",
    "CoachSockets",
    "Coaches",
    "ExecutionResult",
    "Mailer",
    "Notifications",
    "ObjectStore",
    "Organizations",
    "Participants",
    "Results",
    "SearchPorts",
    "Sessions",
    "SocketConnections",
    "StepLedger",
    "Transcripts",
    "Workflow",
]
