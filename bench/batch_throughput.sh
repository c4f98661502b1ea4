#!/usr/bin/env bash
# Throughput of `continuum assess --batch` over N JSON lines (default
# 1,000,000) of typical cases: 10 indicators, 2 strengths, an age. Pinned to
# one core. Prints cases per second.
#   bench/batch_throughput.sh [N] [FRAMEWORK]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
fw=${2:-worcestershire}
bin=build/continuum
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

$bin frameworks show "$fw" --json >"$tmp/fw.json"
python3 - "$tmp/fw.json" "$n" >"$tmp/cases.jsonl" <<'PY'
import json, random, sys
fw = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
random.seed(7)
ind = [i["id"] for i in fw["indicators"] if not i["immediate"] and "age_under" not in i and "age_at_least" not in i]
st = [s["id"] for s in fw["strengths"]]
out = sys.stdout
for _ in range(n):
    out.write(json.dumps({"indicators": random.sample(ind, 10), "strengths": random.sample(st, 2),
                          "age": random.randint(0, 17)}, separators=(",", ":")) + "\n")
PY
bytes=$(stat -c %s "$tmp/cases.jsonl")
# Check a sample for errors, then time the whole run with output discarded
# (the figure is the engine's, not the disk's).
head -1000 "$tmp/cases.jsonl" | $bin assess --framework "$fw" --batch >"$tmp/sample.jsonl"
sample_bytes=$(stat -c %s "$tmp/sample.jsonl")
start=$(date +%s.%N)
taskset -c 1 $bin assess --framework "$fw" --batch <"$tmp/cases.jsonl" >/dev/null
end=$(date +%s.%N)
python3 - "$start" "$end" "$n" "$bytes" "$sample_bytes" <<'PY'
import sys
start, end, n, inb, sample = sys.argv[1:]
secs = float(end) - float(start)
print(f"{n} cases, {int(inb)/1e6:.0f} MB in, about {int(sample)/1000:.0f} bytes out per case")
print(f"{secs:.2f} s on one core: {int(n)/secs:,.0f} cases/s")
PY
