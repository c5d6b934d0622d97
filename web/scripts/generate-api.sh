#!/bin/sh
# Regenerate the typed API client's schema from the Python app's own OpenAPI document.
# PYTHON may name another interpreter; the default is the repository's .venv.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/.." && pwd)
python=${PYTHON:-"$root/.venv/bin/python"}
mkdir -p "$here/.openapi"
PYTHONPATH="$root/layers:$root" "$python" "$here/scripts/dump_openapi.py" > "$here/.openapi/openapi.json"
npx openapi-typescript "$here/.openapi/openapi.json" -o "$here/src/api/schema.d.ts"
