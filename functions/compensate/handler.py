"""Lambda: one step of the session pipeline (statemachines/session_pipeline.asl.json)."""

from coaching.handlers import pipeline_step
from coaching.usecases.compensate import compensate
from coaching.usecases.pipeline_input import CompensationInput

lambda_handler = pipeline_step(compensate, CompensationInput, step="Compensate")
