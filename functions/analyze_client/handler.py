"""Lambda: one step of the session pipeline (statemachines/session_pipeline.asl.json)."""

from coaching.handlers import pipeline_step
from coaching.usecases.analyze_client import analyze_client
from coaching.usecases.pipeline_input import ClientStepInput

lambda_handler = pipeline_step(analyze_client, ClientStepInput, step="AnalyzeClient")
