"""Lambda: the deploy's database migration, a CloudFormation custom resource (CDK Provider).

Create and Update apply the versioned migrations not applied yet (with them the coach_app role
and its grants, migration 0007), then check that a scoped transaction really runs as coach_app;
Delete does nothing: the data outlives this resource (the cluster's removal policy decides).
Idempotent: applied versions are recorded in schema_migrations, so a rerun applies nothing.
A failure raises, and the Provider reports it to CloudFormation as the deploy's reason.
"""

from importlib.resources.abc import Traversable

import coaching.adapters.postgres  # noqa: F401 - every call reads PostgreSQL: load its driver during init
from coaching.composition import Ports, lambda_ports
from coaching.observability import logger, tracer

# One schema per database: the resource's id never changes, so an Update never asks
# CloudFormation to delete an "old" one.
PHYSICAL_RESOURCE_ID = "coaching-database-schema"


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(
    event: dict, context, ports: Ports | None = None, migrations: Traversable | None = None
) -> dict:
    request = event["RequestType"]
    if request == "Delete":
        logger.info("delete: nothing to undo, the schema stays with the data")
        return {"PhysicalResourceId": event.get("PhysicalResourceId", PHYSICAL_RESOURCE_ID)}
    database = (ports or lambda_ports()).database
    applied = database.migrate(migrations)
    database.check_application_role()
    logger.info("migrations applied", extra={"request": request, "applied": applied})
    return {
        "PhysicalResourceId": PHYSICAL_RESOURCE_ID,
        # Attribute values are strings; "-" says none rather than an empty value.
        "Data": {"Applied": ",".join(applied) or "-", "AppliedCount": str(len(applied))},
    }
