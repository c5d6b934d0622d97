"""Natural-language search's pure rules: what is indexed (passages.py), and what a question asks."""
