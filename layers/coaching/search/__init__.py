"""Natural-language search's pure rules: what is indexed, and what a question asks."""
