#!/usr/bin/env bash
# Sets up, builds and runs every test: unit tests, scenario suites, CLI tests,
# the event log's conformance suite on SQLite and on a throwaway PostgreSQL
# (scripts/with-postgres.sh), its crash test, and each libFuzzer target
# briefly over its committed corpus. Ends with ctest's summary.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

status=0

# Fuzz targets (clang-14, libFuzzer), a short run each over a copy of the corpus.
fuzz_seconds=${CONTINUUM_FUZZ_SECONDS:-20}
if CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
     -DCONTINUUM_FUZZ=ON -DCONTINUUM_TESTS=OFF -DCONTINUUM_BENCH=OFF >/dev/null &&
   cmake --build build-fuzz --target fuzz_framework_loader fuzz_observations fuzz_http_request >/dev/null; then
  for target in framework_loader observations http_request; do
    work=$(mktemp -d)
    cp -r "fuzz/corpus/$target/." "$work/"
    if ./build-fuzz/fuzz_$target -max_total_time="$fuzz_seconds" -max_len=65536 -timeout=10 \
         -rss_limit_mb=2048 -artifact_prefix=build-fuzz/ "$work" >build-fuzz/$target.log 2>&1; then
      echo "fuzz $target: ok ($(grep -o 'Done [0-9]* runs' build-fuzz/$target.log | tail -1))"
    else
      echo "fuzz $target: FAILED"; tail -40 build-fuzz/$target.log; status=1
    fi
    rm -rf "$work"
  done
else
  echo "fuzz: build FAILED"; status=1
fi

# The store's tests run against PostgreSQL too: ctest runs inside a
# throwaway server. If the server cannot be set up (exit 125), the tests
# still run, on SQLite alone, and the run fails.
bash scripts/with-postgres.sh ctest --test-dir build --output-on-failure -j2
rc=$?
if ((rc == 125)); then
  echo "PostgreSQL could not be started: running the tests on SQLite only, and failing the run"
  status=1
  ctest --test-dir build --output-on-failure -j2 || status=1
elif ((rc != 0)); then
  status=1
fi
exit $status
