#!/usr/bin/env bash
# The main job on a fresh machine: set up, build data/ into the embedded store, serve it.
#   bash scripts/run.sh [--host H] [--port N]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
STORE=${KG_STORE:-.kg/store}
.venv/bin/kg build data/ --store "$STORE"
exec .venv/bin/kg serve --store "$STORE" "$@"
