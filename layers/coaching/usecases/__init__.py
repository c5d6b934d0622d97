"""Use cases: what the platform does, in terms of the domain and the ports only."""
