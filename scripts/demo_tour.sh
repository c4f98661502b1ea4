#!/usr/bin/env bash
# The main job's tour of a built Continuum, run by scripts/run.sh after set-up
# and by ctest (`demo.tour`, on a scratch database) so that it keeps working
# as the frameworks and the demo families change: the frameworks, an example
# assessment with its explanation, the demo families loaded into a database,
# the demo's sign-ins, what is due, a case and its chronology as the people
# who hold it, a refusal and its audit record, the HTTP API's tour of access
# and audit (scripts/api_tour.py), and `verify`.
#   scripts/demo_tour.sh [BINARY] [DATABASE_URL]   (default build/continuum, sqlite:demo.db)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/continuum}
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
export CONTINUUM_DB=${2:-sqlite:demo.db}
echo "== Case records: demo families in an embedded database ($CONTINUUM_DB)"
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
