#!/usr/bin/env bash
# Sets up, builds, and runs the main job: loads the shipped frameworks,
# assesses an example case with its explanation, then loads demo families into
# an embedded SQLite database (demo.db) and shows deadlines and a chronology.
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
