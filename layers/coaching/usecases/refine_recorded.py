"""A refinement and its audit record in one transaction: the one rule of both transports
(`POST /v1/summaries/{id}/refine` and the socket's `refine`).

The refinement's dozen storage calls and the audit record share one BEGIN/COMMIT and one
organization scope (half the round-trip of one transaction per call), and a revision is
never stored without its audit record. A free-form refiner (the OpenAI analyzer's) is a slow
outside call: it runs with no transaction open (usecases/refiner_outside_transaction.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from coaching.domain.identity import Principal
from coaching.ports.audit import AuditEntry, AuditLog
from coaching.ports.review import ReviewPorts
from coaching.ports.transactions import Transactions
from coaching.usecases.refine_summary import RefinementRequest, refine_summary
from coaching.usecases.refiner_outside_transaction import with_refiner_outside


def refine_recorded(
    review: ReviewPorts,
    transactions: Transactions,
    audit_log: AuditLog,
    principal: Principal,
    request: RefinementRequest,
    *,
    via: str | None = None,
) -> dict[str, Any]:
    """refine_summary's answer, audited in its transaction: a read for 'history', else an
    update and its revision. ``via``: the transport, when it is not REST (the record says)."""
    with transactions.scoped(principal.organization_id):
        answer = refine_summary(with_refiner_outside(review, transactions), principal, request)
        summary = answer["summary"]
        history = "history" in answer
        details: dict[str, Any] = {} if history else {"revision": summary["revision"]}
        if via is not None and not history:
            details["via"] = via
        audit_log.record(
            AuditEntry(
                organization_id=principal.organization_id,
                actor=principal.actor,
                action="read" if history else "update",
                resource_type="summary",
                resource_id=str(request.summary_id),
                source=principal.source_ip,
                details=details,
                client_ids=(uuid.UUID(summary["client_id"]),),
            )
        )
    return answer
