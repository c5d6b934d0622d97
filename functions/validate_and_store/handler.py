"""Lambda: one step of the session pipeline (statemachines/session_pipeline.asl.json)."""

from coaching.handlers import pipeline_step
from coaching.usecases.pipeline_input import PipelineInput
from coaching.usecases.validate_and_store import validate_and_store

lambda_handler = pipeline_step(validate_and_store, PipelineInput, step="ValidateAndStore")
