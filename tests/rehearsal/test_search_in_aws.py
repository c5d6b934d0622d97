"""The search indexes in AWS, from the built packages: the deployed runtime's interpreter with
only the layer and the runtime's boto3 builds the Pinecone and OpenSearch indexes from the
search functions' synthesized settings and reaches them (the rehearsal's stand-ins)."""

from __future__ import annotations

import json
import subprocess
import uuid

from cdk.stack import SEARCH_FUNCTIONS

# Run in the deployed runtime with the built layer: index one passage in each backend, then
# find it again.
SCRIPT = """
import json, sys, uuid
from coaching.adapters.aws.search_backends import opensearch_keyword_index, pinecone_vector_index
from coaching.config import Settings
from coaching.domain.search import Passage, SearchFilters, passage_id

org, session = uuid.UUID(sys.argv[1]), uuid.uuid4()
passage = Passage(
    id=passage_id(session, "passage", 1), organization_id=org, session_id=session,
    kind="passage", source="session.vtt", text="I keep struggling with delegation",
)
settings = Settings()
keywords, vectors = opensearch_keyword_index(settings), pinecone_vector_index(settings)
keywords.upsert(org, [passage])
vectors.upsert(org, [passage], [[0.6, 0.8]])
print(json.dumps({
    "id": str(passage.id),
    "keywords": [str(h.passage_id) for h in keywords.query(org, "delegation", SearchFilters(), 5)],
    "vectors": [str(h.passage_id) for h in vectors.query(org, [0.6, 0.8], SearchFilters(), 5)],
    "modules": sorted(m.split(".")[0] for m in sys.modules if m in ("pinecone", "opensearchpy")),
}))
"""


def test_the_built_search_adapters_reach_opensearch_and_pinecone_from_the_search_functions(
    fleet, rehearsal_python
):
    # Given the API function's synthesized settings (the collection's endpoint resolved to the
    # stand-in), a Pinecone host and key as an operator would set them
    assert "api" in SEARCH_FUNCTIONS
    environment = {
        name: value
        for name, value in fleet["api"].environment.items()
        if name.startswith(("COACH_OPENSEARCH", "AWS_"))
    }
    assert environment["COACH_OPENSEARCH_ENDPOINT"] == fleet.stand_ins.endpoint
    path = [str(folder) for folder in fleet["api"].path]  # its code, the layer, the SDK
    org = uuid.uuid4()
    # When the deployed runtime indexes a passage in each and searches for it
    finished = subprocess.run(  # noqa: S603 - the rehearsal's own interpreter and script
        [
            rehearsal_python.executable,
            "-I",
            "-S",
            "-B",
            "-c",
            f"import sys; sys.path[:0] = {path!r}\n{SCRIPT}",
        ]
        + [str(org)],
        env={
            **environment,
            "AWS_ACCESS_KEY_ID": "rehearsal",
            "AWS_SECRET_ACCESS_KEY": "rehearsal",
            "AWS_REGION": "us-east-1",
            "COACH_RUNTIME": "aws",
            "COACH_PINECONE_INDEX_HOST": fleet.stand_ins.endpoint,
            "COACH_PINECONE_API_KEY": "rehearsal-key",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    answer = json.loads(finished.stdout.splitlines()[-1])
    # Then both found it, through the organization's alias and namespace
    assert answer["keywords"] == [answer["id"]]
    assert answer["vectors"] == [answer["id"]]
    assert answer["modules"] == ["opensearchpy", "pinecone"]
    opensearch, pinecone = fleet.stand_ins.opensearch, fleet.stand_ins.pinecone
    assert answer["id"] in opensearch.alias_documents(f"coaching-passages-{org}")
    assert "text" in opensearch.documents[f"coaching-passages-{org}-v1"][answer["id"]]
    assert list(pinecone.vectors[str(org)]) == [answer["id"]]
