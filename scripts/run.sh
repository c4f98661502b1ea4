#!/usr/bin/env bash
# Sets up, builds, and runs the main job: loads the shipped frameworks and
# assesses an example case under them, with its explanation.
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
