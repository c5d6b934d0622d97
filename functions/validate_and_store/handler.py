"""Lambda: the session pipeline's ValidateAndStore step (see statemachines/session_pipeline.asl.json)."""

from coaching.handlers import pipeline_step
from coaching.usecases.validate_and_store import validate_and_store
from coaching.usecases.pipeline_input import PipelineInput

lambda_handler = pipeline_step(validate_and_store, PipelineInput, step="ValidateAndStore")
