"""Lambda: one step of the session pipeline (statemachines/session_pipeline.asl.json)."""

from coaching.handlers import pipeline_step
from coaching.usecases.index_session import index_session
from coaching.usecases.pipeline_input import PipelineInput

lambda_handler = pipeline_step(index_session, PipelineInput, step="IndexSession")
