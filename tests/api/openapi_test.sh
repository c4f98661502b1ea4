#!/usr/bin/env bash
# Keeps docs/openapi.yaml honest:
#  (a) its operations ("METHOD /path") are exactly the server's routes, as
#      printed by `continuum serve --print-routes`; what is missing on either
#      side is listed;
#  (b) it passes `redocly lint` with the repository's redocly.yaml (the
#      pinned @redocly/cli from package-lock.json, installed with `npm ci`
#      when node_modules does not hold it yet).
# Exit 0 only if both pass.
#
# usage: tests/api/openapi_test.sh PATH/TO/continuum REPO_ROOT
set -uo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 CONTINUUM_BINARY REPO_ROOT" >&2
  exit 2
fi
bin=$1
root=$2
[[ "$bin" == /* ]] || bin="$PWD/$bin"
cd "$root" || { echo "FAIL: cannot enter $root" >&2; exit 1; }
spec=docs/openapi.yaml

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- (a) the document's operations against the server's route table --------

if ! "$bin" serve --print-routes >"$tmp/routes.raw" 2>"$tmp/routes.err"; then
  fail "'continuum serve --print-routes' failed:"
  sed 's/^/  /' "$tmp/routes.err" >&2
elif ! python3 - "$spec" "$tmp/routes.raw" <<'PY'
import re
import sys

spec_path, routes_path = sys.argv[1], sys.argv[2]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations_with_pyyaml(text):
    import yaml
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise SystemExit(f"{spec_path}: no 'paths' mapping")
    ops = set()
    for path, item in doc["paths"].items():
        if not isinstance(item, dict):
            continue
        for method in item:
            if method in METHODS:
                ops.add(f"{method.upper()} {path}")
    return ops


def unquote(key):
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"":
        inner = key[1:-1]
        return inner.replace("''", "'") if key[0] == "'" else inner.encode().decode("unicode_escape")
    return key


def operations_by_indentation(text):
    # Without PyYAML: the keys under the top-level `paths:` are the paths,
    # and the keys one level further in are methods (block style only).
    ops = set()
    in_paths = False
    path_indent = method_indent = None
    path = None
    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if indent == 0:
            in_paths = re.match(r"^(paths|'paths'|\"paths\")\s*:\s*(#.*)?$", line) is not None
            path_indent = method_indent = path = None
            continue
        if not in_paths:
            continue
        key_match = re.match(r"^((?:'[^']*'|\"[^\"]*\"|[^:#]+?))\s*:(\s|$)", stripped)
        if path_indent is None:
            path_indent = indent
        if indent == path_indent:
            if not key_match:
                raise SystemExit(f"{spec_path}: cannot read the path line {raw!r}")
            path = unquote(key_match.group(1))
            method_indent = None
        elif path is not None and indent > path_indent:
            if method_indent is None:
                method_indent = indent
            if indent == method_indent and key_match:
                key = unquote(key_match.group(1))
                if key in METHODS:
                    ops.add(f"{key.upper()} {path}")
    return ops


with open(spec_path, encoding="utf-8") as f:
    text = f.read()
try:
    import yaml  # noqa: F401
    documented = operations_with_pyyaml(text)
except ImportError:
    documented = operations_by_indentation(text)

served = set()
bad = []
with open(routes_path, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        line = line.strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Z]+) (/\S*)", line)
        if not m:
            bad.append(f"  line {n}: {line!r}")
            continue
        served.add(f"{m.group(1)} {m.group(2)}")

ok = True
if bad:
    ok = False
    print("--print-routes printed lines that are not 'METHOD /path':", file=sys.stderr)
    print("\n".join(bad), file=sys.stderr)
if not served:
    ok = False
    print("--print-routes printed no routes", file=sys.stderr)
missing_in_doc = sorted(served - documented, key=lambda s: (s.split(" ", 1)[1], s))
missing_in_server = sorted(documented - served, key=lambda s: (s.split(" ", 1)[1], s))
if missing_in_doc:
    ok = False
    print(f"served but not in {spec_path}:", file=sys.stderr)
    for op in missing_in_doc:
        print(f"  {op}", file=sys.stderr)
if missing_in_server:
    ok = False
    print(f"in {spec_path} but not served:", file=sys.stderr)
    for op in missing_in_server:
        print(f"  {op}", file=sys.stderr)
if ok:
    print(f"routes: the {len(served)} served routes and the {len(documented)} documented operations agree")
sys.exit(0 if ok else 1)
PY
then
  fail "the operations in $spec and the server's routes differ"
fi

# ---- (b) redocly lint --------------------------------------------------------

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
if ! command -v npm >/dev/null || ! command -v npx >/dev/null; then
  fail "npm and npx are needed to lint $spec (scripts/setup.sh installs them)"
else
  pinned=$(python3 -c 'import json,sys; print(json.load(open("package.json"))["devDependencies"]["@redocly/cli"])')
  installed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
    node_modules/@redocly/cli/package.json 2>/dev/null || true)
  if [[ ! -x node_modules/.bin/redocly || "$installed" != "$pinned" ]]; then
    echo "installing @redocly/cli $pinned (npm ci)"
    if ! npm ci --no-audit --no-fund >"$tmp/npm.log" 2>&1; then
      fail "npm ci failed:"
      tail -n 30 "$tmp/npm.log" | sed 's/^/  /' >&2
    fi
  fi
  if [[ -x node_modules/.bin/redocly ]]; then
    if npx --no-install redocly lint "$spec" >"$tmp/lint.log" 2>&1; then
      sed '/^$/d' "$tmp/lint.log"
    else
      fail "redocly lint $spec:"
      cat "$tmp/lint.log" >&2
    fi
  else
    fail "@redocly/cli is not installed in node_modules"
  fi
fi

if ((failures)); then
  echo "openapi_test: $failures check(s) failed" >&2
  exit 1
fi
echo "openapi_test: passed"
