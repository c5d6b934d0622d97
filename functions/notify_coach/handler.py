"""Lambda: one step of the session pipeline (statemachines/session_pipeline.asl.json)."""

from coaching.handlers import pipeline_step
from coaching.usecases.notify_coach import notify_coach
from coaching.usecases.pipeline_input import PipelineInput

lambda_handler = pipeline_step(notify_coach, PipelineInput, step="NotifyCoach")
