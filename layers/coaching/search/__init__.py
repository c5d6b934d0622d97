"""Natural-language search's pure rules: what a session puts in the index (passages.py),
what a question asks (understanding.py, with dates.py and names.py), how answers are fused."""
