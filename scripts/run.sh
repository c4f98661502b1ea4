#!/usr/bin/env bash
# Sets up, builds, and runs the main job: loads the shipped frameworks,
# assesses an example case with its explanation, then loads demo families into
# an embedded SQLite database (demo.db) and shows deadlines and a chronology,
# then serves the HTTP API briefly for a tour of access and audit.
# CONTINUUM_SERVE=1 keeps the API serving on 127.0.0.1:8080 afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

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
$bin init
$bin demo
echo
echo "== What is due and overdue across the partnership"
$bin due
echo
echo "== One child's case and chronology"
$bin case show demo-wo-lily
echo
$bin case chronology demo-wo-lily
echo
$bin verify

echo
echo "== The HTTP API: accounts, access by relationship and consent, audit"
$bin agency add school-1 --name "Riverside Primary School" --kind school
$bin agency add early-help --name "Early Help Service" --kind early_help
$bin agency add csc --name "Children's Social Care" --kind social_care
$bin team add front-door --agency csc --name "Family Front Door" --front-door
$bin team add family-workers --agency early-help --name "Family workers"
$bin team add eh-duty --agency early-help --name "Early Help Hub (duty)" --front-door
add_user() { echo "demo password 2026" | $bin user add "$@" --password-file - >/dev/null; }
add_user t.teacher --name "Tia Teacher" --role practitioner --agency school-1
add_user f.duty --name "Farid Duty" --role front_door --agency csc --team front-door
add_user c.coordinator --name "Cal Coordinator" --role team_leader --agency early-help --team eh-duty
add_user w.family --name "Wren Family-Worker" --role lead_professional --agency early-help --team family-workers
add_user d.lead --name "Dana Lead" --role safeguarding_lead --agency csc
$bin user list
port_file=$(mktemp)
$bin serve --listen 127.0.0.1:0 --port-file "$port_file" --log-requests false &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$port_file"' EXIT
for _ in $(seq 100); do [[ -s $port_file ]] && break; sleep 0.1; done
python3 scripts/api_tour.py "$(cat "$port_file")"
kill -TERM $server && wait $server
echo
echo "== The audit trail, from the command line"
$bin audit --type 'audit.break_glass'
$bin audit --type 'audit.denied' --limit 3
$bin verify
if [[ "${CONTINUUM_SERVE:-}" == 1 ]]; then
  echo
  echo "== Serving the API on http://127.0.0.1:8080/api/v1 (Ctrl-C to stop)"
  exec $bin serve --listen 127.0.0.1:8080
fi
