#!/usr/bin/env bash
# Sets up, builds, and runs the main job: loads the shipped frameworks,
# assesses an example case with its explanation, then loads the demo
# families, their agencies, teams and accounts (examples/demo.yaml) into an
# embedded SQLite database (demo.db), prints the demo's sign-ins, shows
# deadlines and a chronology as named users, then serves the HTTP API
# briefly for a tour of access and audit (scripts/api_tour.py).
# It builds the practitioner web app (web/, npm) too, and ends by printing
# its address and the demo's sign-ins; CONTINUUM_SERVE=1 keeps the app and
# the API serving on 127.0.0.1:8080 afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== The web app (web/): npm ci and build into web/dist"
(cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error && npm run --silent build >/dev/null && node scripts/size.mjs | tail -1)

bin=build/continuum
echo
echo "== Frameworks"
$bin frameworks list
for f in frameworks/*.yaml; do
  [[ $f == frameworks/concepts.yaml ]] || $bin frameworks validate "$f"
done
echo
echo "== An example case (examples/toxic-trio.json) under Worcestershire's framework"
cat examples/toxic-trio.json
echo
$bin assess --framework worcestershire examples/toxic-trio.json
echo
echo "== The same child read under Scotland's staged intervention"
$bin assess --framework worcestershire --compare scotland examples/toxic-trio.json

echo
echo "== Case records: demo families in an embedded SQLite database (demo.db)"
export CONTINUUM_DB=sqlite:demo.db
unset CONTINUUM_USER
$bin init
$bin demo
password=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["password"])' examples/demo.yaml)
echo
echo "== The demo's sign-ins (every account's password: \"$password\")"
python3 - examples/demo.yaml <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
for u in d["users"]:
    team = (" on team " + u["team"]) if u.get("team") else ""
    print("  %-10s %-18s %s at %s%s" % (u["username"], u["role"], u["name"], u["agency"], team))
PY
echo
echo "== What is due: the front door's (k.osei), and a lead professional's (m.clarke)"
$bin due --as k.osei
$bin due --as m.clarke
echo
echo "== One child's case and her chronology, as her allocated social worker (stepped up from early help)"
$bin case show demo-wo-lily --as r.patel
echo
$bin case chronology demo-wo-lily --as r.patel
echo
echo "== A teacher with no relationship to her is refused, and the refusal is audited"
$bin case show demo-wo-lily --as t.jones || true
$bin audit --as c.lead --child demo-wo-lily --type audit.denied --limit 3
echo
$bin verify

echo
echo "== The HTTP API over the demo: access by relationship and consent, break-glass, audit"
port_file=$(mktemp)
$bin serve --listen 127.0.0.1:0 --port-file "$port_file" --log-requests false &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$port_file"' EXIT
for _ in $(seq 300); do [[ -s $port_file ]] && break; sleep 0.1; done
python3 scripts/api_tour.py "$(cat "$port_file")" "$password"
kill -TERM $server && wait $server
echo
echo "== The audit trail, from the command line (as the local authority's safeguarding lead)"
$bin audit --as c.lead --type 'audit.break_glass'
$bin audit --as c.lead --type 'audit.denied' --limit 3
$bin verify
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
