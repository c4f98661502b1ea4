#!/usr/bin/env bash
# Sets up, builds, and runs the main job (scripts/demo_tour.sh): loads the
# shipped frameworks, assesses an example case with its explanation, then
# loads the demo families, their agencies, teams and accounts
# (examples/demo.yaml) into an embedded SQLite database (demo.db), prints the
# demo's sign-ins, shows deadlines and a chronology as named users, then
# serves the HTTP API briefly for a tour of access and audit
# (scripts/api_tour.py).
# It builds the practitioner web app (web/, npm) too, and ends by printing
# its address and the demo's sign-ins; CONTINUUM_SERVE=1 keeps the app and
# the API serving on 127.0.0.1:8080 afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== The web app (web/): npm ci and build into web/dist"
(cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error && npm run --silent build >/dev/null && node scripts/size.mjs | tail -1)

bash scripts/demo_tour.sh build/continuum sqlite:demo.db
password=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["password"])' examples/demo.yaml)
bin=build/continuum
export CONTINUUM_DB=sqlite:demo.db
echo
echo "== The practitioner web app"
echo "  CONTINUUM_SERVE=1 bash scripts/run.sh serves it on http://127.0.0.1:8080/ with this demo database."
echo "  Sign in with any account above and the password \"$password\": for example t.jones (a teacher),"
echo "  m.clarke (a lead professional), k.osei (the front door), c.lead (a safeguarding lead)."
if [[ "${CONTINUUM_SERVE:-}" == 1 ]]; then
  echo
  echo "== Serving the web app and the API on http://127.0.0.1:8080/ (Ctrl-C to stop)"
  exec $bin serve --listen 127.0.0.1:8080 --web-dir web/dist
fi
