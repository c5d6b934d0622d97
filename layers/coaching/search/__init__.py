"""Search: what is indexed from a session (passages.py)."""
