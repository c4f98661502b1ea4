#!/usr/bin/env bash
# Builds the web app (npm ci from web/package-lock.json, never downloading a
# browser), checks its size against the budget, and runs the browser
# journeys in Debian's Chromium against `continuum serve`.
#   tests/web/run.sh BINARY REPO_ROOT
set -euo pipefail
bin=$1
root=$2
cd "$root/web"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CI=${CI:-true}
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build >/dev/null
node scripts/size.mjs
command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || { echo "web: Chromium is missing (apt-get install chromium)"; exit 1; }
cd "$root"
CONTINUUM_BIN=$bin node --test --test-concurrency=1 --test-timeout=600000 tests/web/journeys.test.mjs </dev/null
