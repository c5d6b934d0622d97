"""Helpers of the whole-session summary (coaching.analysis.session_summary), one job each."""
