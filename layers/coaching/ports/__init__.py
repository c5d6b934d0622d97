"""Small Protocols naming what use cases need from the outside world."""

from coaching.ports.analyzer import Analyzer
from coaching.ports.mailer import Mailer
from coaching.ports.objects import ObjectStore
from coaching.ports.sockets import CoachSockets, SocketConnections
from coaching.ports.store import SessionStore
from coaching.ports.workflow import ExecutionResult, Workflow

__all__ = [
    "Analyzer",
    "CoachSockets",
    "ExecutionResult",
    "Mailer",
    "ObjectStore",
    "SessionStore",
    "SocketConnections",
    "Workflow",
]
