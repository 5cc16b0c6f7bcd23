#!/usr/bin/env bash
# Sets up everything policykg needs on a fresh machine, idempotently:
#   scripts/setup.sh          the virtual environment with the package (for running)
#   scripts/setup.sh --test   plus test dependencies and Debian's Chromium for page tests
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
# Re-install only when the dependency list changed.
stamp="$VENV/.policykg-installed"
extras=""
[ $want_test = 1 ] && extras="[test]"
key="$(sha256sum pyproject.toml | cut -c1-16)$extras"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$key" ]; then
  "$VENV/bin/pip" install --quiet --upgrade pip >/dev/null 2>&1 || true
  "$VENV/bin/pip" install --quiet -e ".$extras"
  echo "$key" > "$stamp"
fi

# Data the package reads at run time that comes from other registries.
if [ -f scripts/setup-data.sh ]; then
  bash scripts/setup-data.sh
fi

# Page tests run in Debian's Chromium; a CJK font so Chinese labels render as text.
if [ $want_test = 1 ] && { ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi wenquanyi; }; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium and fonts-wqy-microhei for the page tests" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
      || echo "warning: could not install chromium; browser tests will fail" >&2
  fi
fi
