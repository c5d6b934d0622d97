"""Whether the caller's organization has connected HubSpot and Salesforce (for the exports
page): a status per CRM, never its token."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import client_data_reader
from coaching.api.models.exports import CrmConnectionList
from coaching.usecases.crm_connections import CrmConnection, crm_connections

router = APIGatewayRouter()


def _moment(connection: CrmConnection) -> str | None:
    return connection.connected_at.isoformat() if connection.connected_at else None


@router.get(
    "/v1/export/crm-connections",
    summary="Whether HubSpot and Salesforce are connected (a token stored) for your organization",
    description="A token store that cannot be read answers `connected: false` with the "
    "reason `credentials_unreadable`.",
    responses=documented(model=CrmConnectionList),
)
def list_crm_connections() -> dict:
    principal = client_data_reader(router)
    ports = ports_of(router)
    org = principal.organization_id
    connections = crm_connections(lambda kind: ports.crm_credentials(org, kind))
    return {
        "items": [
            {
                "kind": c.kind,
                "connected": c.connected,
                "connected_at": _moment(c),
                "reason": c.reason,
            }
            for c in connections
        ],
        "organization_id": str(org),
    }
