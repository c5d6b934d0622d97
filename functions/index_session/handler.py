"""Lambda: one step of the session pipeline (statemachines/session_pipeline.asl.json)."""

from coaching.handlers import pipeline_handler

lambda_handler = pipeline_handler("IndexSession")
