"""Adapters: each implements a port and turns its SDK's errors into domain errors."""
