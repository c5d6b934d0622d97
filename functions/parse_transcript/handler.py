"""Lambda: one step of the session pipeline (statemachines/session_pipeline.asl.json)."""

from coaching.handlers import pipeline_step
from coaching.usecases.parse_participants import parse_participants
from coaching.usecases.pipeline_input import PipelineInput

lambda_handler = pipeline_step(parse_participants, PipelineInput, step="ParseTranscript")
