"""What the API answers, as models: the OpenAPI document describes each success body with
one (a web app generates its client from it), and tests check real answers against them.

Routes still build their answers as plain JSON; these models only describe them (see
``documented(model=...)`` in api/errors.py), so a field added to an answer must be added here
too: the models forbid what they do not name, and the API tests fail until it is.
"""
