#!/usr/bin/env bash
# The `continuum` command line: outputs, exit codes (0 ok, 2 bad input) and a
# clear message for every class of bad input, with nothing on stdout.
#   cli_test.sh BINARY SOURCE_DIR
set -u
bin=$1
src=$2
export CONTINUUM_FRAMEWORKS="$src/frameworks"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# check NAME WANT_EXIT PATTERN -- COMMAND...   (PATTERN is grepped in stdout+stderr)
check() {
  local name=$1 want=$2 pattern=$3
  shift 4
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL $name: exit $got, wanted $want"; sed 's/^/     /' "$tmp/err" | head -5
    failed=$((failed + 1)); return
  fi
  if ! cat "$tmp/out" "$tmp/err" | grep -qE -- "$pattern"; then
    echo "FAIL $name: output lacks /$pattern/"; head -c 600 "$tmp/out" "$tmp/err" | sed 's/^/     /'
    failed=$((failed + 1)); return
  fi
  if [[ $want -eq 2 && -s "$tmp/out" ]]; then
    echo "FAIL $name: wrote to stdout on bad input"; failed=$((failed + 1)); return
  fi
  echo "ok   $name"; passed=$((passed + 1))
}
# Same, with stdin from a file.
check_in() {
  local name=$1 want=$2 pattern=$3 input=$4
  shift 5
  "$@" <"$input" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [[ $got -ne $want ]] || ! cat "$tmp/out" "$tmp/err" | grep -qE -- "$pattern"; then
    echo "FAIL $name: exit $got (wanted $want) or output lacks /$pattern/"; head -c 600 "$tmp/out" "$tmp/err" | sed 's/^/     /'
    failed=$((failed + 1)); return
  fi
  echo "ok   $name"; passed=$((passed + 1))
}

# --- frameworks list / show / validate
check "list" 0 "worcestershire" -- "$bin" frameworks list
check "list --json" 0 '"authority"' -- "$bin" frameworks list --json
"$bin" frameworks list --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert {f["id"] for f in d} >= {"worcestershire","devon","staffordshire","scotland"}, d' \
  && { echo "ok   list --json has the four frameworks"; passed=$((passed + 1)); } \
  || { echo "FAIL list --json has the four frameworks"; failed=$((failed + 1)); }
check "show" 0 "Rules:" -- "$bin" frameworks show scotland
"$bin" frameworks show worcestershire --json | python3 -c '
import json,sys
d=json.load(sys.stdin)
for k in ["id","name","version","levels","domains","indicators","strengths","facts"]: assert k in d, k
i=d["indicators"][0]
for k in ["id","label","level","domain","source","tags"]: assert k in i, k
assert [l["level"] for l in d["levels"]]==[1,2,3,4]
' && { echo "ok   show --json shape"; passed=$((passed + 1)); } || { echo "FAIL show --json shape"; failed=$((failed + 1)); }
check "show says which rules are local defaults" 0 "local default: .* \(not stated in the document\)" -- "$bin" frameworks show devon
check "show cites the document" 0 "source: Specialist Help/Intervention \(Level 4\), s47" -- "$bin" frameworks show devon
"$bin" frameworks show staffordshire --json | python3 -c '
import json,sys
d=json.load(sys.stdin)
for k in ["indicators","strengths","facts","rules"]:
    for x in d[k]: assert ("source" in x) != ("local_default" in x), x
assert any("contradicts" in x for x in d["strengths"])
assert all("@" in t for t in d["indicators"][0]["tags"])
' && { echo "ok   show --json: exactly one of source and local_default"; passed=$((passed + 1)); } || { echo "FAIL show --json: exactly one of source and local_default"; failed=$((failed + 1)); }
sed '0,/^    source: "Appendix 1, Level 1, Health"/s//    local_default: ours\n    source: "Appendix 1, Level 1, Health"/' "$src/frameworks/worcestershire.yaml" >"$tmp/both.yaml"
check "validate source and local default" 2 "both.yaml:[0-9]+:[0-9]+: indicator 'wo.health.milestones-met': give either 'source'" -- "$bin" frameworks validate "$tmp/both.yaml"
check "show unknown" 2 "unknown framework 'nowhere'" -- "$bin" frameworks show nowhere
check "show --help" 0 "Framework id" -- "$bin" frameworks show --help
check "validate shipped" 0 "ok" -- "$bin" frameworks validate "$src/frameworks/worcestershire.yaml" "$src/frameworks/scotland.yaml"
printf 'format: continuum-framework/1\nid: x\nname: [oops\n' >"$tmp/broken.yaml"
check "validate malformed" 2 "broken.yaml:[0-9]+:[0-9]+: YAML syntax error" -- "$bin" frameworks validate "$tmp/broken.yaml"
sed 's/^authority:.*$//; s/tags: \[education.attendance/tags: [no.such/' "$src/frameworks/worcestershire.yaml" >"$tmp/bad.yaml"
check "validate missing field" 2 "bad.yaml:[0-9]+:[0-9]+: framework: missing required field 'authority'" -- "$bin" frameworks validate "$tmp/bad.yaml"
check "validate unknown tag" 2 "tag 'no.such" -- "$bin" frameworks validate "$tmp/bad.yaml"
check "validate missing file" 2 "cannot open" -- "$bin" frameworks validate "$tmp/none.yaml"
check "validate directory" 2 "is a directory" -- "$bin" frameworks validate "$tmp"
head -c 5000000 /dev/zero | tr '\0' '#' >"$tmp/huge.yaml"
check "validate oversized" 2 "larger than 4 MiB" -- "$bin" frameworks validate "$tmp/huge.yaml"
check "frameworks no subcommand" 2 "" -- "$bin" frameworks
check "unknown command" 2 "" -- "$bin" nonsense

# --- assess
echo '{"indicators":["wo.fam.toxic-trio"],"age":8}' >"$tmp/trio.json"
check "assess text" 0 "Suggested Level 4" -- "$bin" assess --framework worcestershire "$tmp/trio.json"
check "assess json" 0 '"explanation"' -- "$bin" assess --framework worcestershire --json "$tmp/trio.json"
"$bin" assess --framework worcestershire --json "$tmp/trio.json" | python3 -c '
import json,sys
d=json.load(sys.stdin)
for k in ["level","response","urgent","urgent_actions","lead_professional","consent","explanation"]: assert k in d, k
assert d["level"]==4 and d["explanation"][0]["source"]
' && { echo "ok   assess --json shape"; passed=$((passed + 1)); } || { echo "FAIL assess --json shape"; failed=$((failed + 1)); }
check_in "assess stdin" 0 "Suggested Level" "$tmp/trio.json" -- "$bin" assess --framework worcestershire -
check "assess by path" 0 "Suggested Level 4" -- "$bin" assess --framework "$src/frameworks/worcestershire.yaml" "$tmp/trio.json"
check "assess compare" 0 "No counterpart|every observation has a counterpart" -- "$bin" assess --framework worcestershire --compare scotland "$tmp/trio.json"
check "assess compare json" 0 '"mapping"' -- "$bin" assess --framework worcestershire --compare devon --json "$tmp/trio.json"
echo '{"indicators":["wo.rel.no-carer-after-death"],"age":8}' >"$tmp/no-carer.json"
check "compare keeps a need without counterpart as a floor" 0 "level 4 is kept as a floor under devon" -- "$bin" assess --framework worcestershire --compare devon "$tmp/no-carer.json"
"$bin" assess --framework worcestershire --compare devon --json "$tmp/no-carer.json" | python3 -c '
import json,sys
d=json.load(sys.stdin)
assert d["devon"]["level"]==4, d["devon"]["level"]
u=d["mapping"]["unmapped"][0]
assert u["from"]=="wo.rel.no-carer-after-death" and u["level_kept"]==4 and "family.no_carer" in u["reason"], u
assert d["devon"]["explanation"][0]["kind"]=="carried" and "local_default" in d["devon"]["explanation"][0]
' && { echo "ok   compare json: the floor and its reason"; passed=$((passed + 1)); } || { echo "FAIL compare json: the floor and its reason"; failed=$((failed + 1)); }
check "assess unknown framework" 2 "unknown framework 'atlantis'" -- "$bin" assess --framework atlantis "$tmp/trio.json"
check "assess missing --framework" 2 "framework" -- "$bin" assess "$tmp/trio.json"
check "assess missing file" 2 "cannot open" -- "$bin" assess --framework devon "$tmp/nothing.json"
echo '{"indicators":["wo.fam.toxic-trio"' >"$tmp/broken.json"
check "assess malformed json" 2 "broken.json: invalid JSON: parse error at line" -- "$bin" assess --framework worcestershire "$tmp/broken.json"
echo '{"indicators":["nope"]}' >"$tmp/unknown.json"
check "assess unknown id" 2 "unknown indicator 'nope'" -- "$bin" assess --framework worcestershire "$tmp/unknown.json"
echo '{"indicators":"wo.fam.toxic-trio"}' >"$tmp/type.json"
check "assess wrong type" 2 "'indicators' must be a list" -- "$bin" assess --framework worcestershire "$tmp/type.json"
echo '{"age":99}' >"$tmp/age.json"
check "assess bad age" 2 "'age' must be from 0 to 25" -- "$bin" assess --framework worcestershire "$tmp/age.json"
echo '{"colour":"red"}' >"$tmp/field.json"
check "assess unknown field" 2 "unknown field 'colour'" -- "$bin" assess --framework worcestershire "$tmp/field.json"
head -c 2000000 /dev/zero | tr '\0' ' ' >"$tmp/huge.json"
check "assess oversized" 2 "larger than" -- "$bin" assess --framework worcestershire "$tmp/huge.json"

# --- batch: one result per line, in order; bad lines get an error object
{
  echo '{"indicators":["wo.fam.toxic-trio"]}'
  echo '{"indicators":["nope"]}'
  echo 'not json'
  echo ''
  echo '{}'
  printf '{"age":3}'   # last line without newline
} >"$tmp/batch.jsonl"
"$bin" assess --framework worcestershire --batch <"$tmp/batch.jsonl" >"$tmp/out" 2>"$tmp/err"
rc=$?
python3 - "$tmp/out" "$rc" <<'PY' && { echo "ok   batch order and errors"; passed=$((passed + 1)); } || { echo "FAIL batch order and errors"; failed=$((failed + 1)); }
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert sys.argv[2] == "2", sys.argv[2]
assert len(lines) == 6, lines
d = [json.loads(l) for l in lines]
assert d[0]["level"] == 4
assert d[1] == {"line": 2, "error": d[1]["error"]} and "unknown indicator 'nope'" in d[1]["error"]
assert d[2]["line"] == 3 and "invalid JSON" in d[2]["error"]
assert d[3]["line"] == 4 and "empty line" in d[3]["error"]
assert d[4]["level"] == 1 and d[5]["level"] == 1
PY
check "batch with --compare" 2 "cannot be combined" -- "$bin" assess --framework worcestershire --batch --compare devon
check "batch with file" 2 "reads standard input" -- "$bin" assess --framework worcestershire --batch "$tmp/trio.json"

# --- serve, accounts and audit: bad settings and bad input are refused
# before anything is written or a port is bound.
db="sqlite:$tmp/accounts.db"
printf 'listen: 127.0.0.1:0\nworkers: lots\n' >"$tmp/serve.yaml"
check "serve bad config value" 2 "workers: 'lots' is not a whole number" -- "$bin" serve --db "$db" --config "$tmp/serve.yaml"
printf 'listen: 127.0.0.1:0\ncolour: blue\n' >"$tmp/serve2.yaml"
check "serve unknown setting" 2 "colour: not a setting of continuum serve" -- "$bin" serve --db "$db" --config "$tmp/serve2.yaml"
printf 'listen: [1, 2\n' >"$tmp/serve3.yaml"
check "serve malformed config" 2 "serve3.yaml:" -- "$bin" serve --db "$db" --config "$tmp/serve3.yaml"
check "serve bad listen" 2 "listen: give HOST:PORT" -- "$bin" serve --db "$db" --listen nowhere
check "serve bad listen port" 2 "listen port: '99999'" -- "$bin" serve --db "$db" --listen 127.0.0.1:99999
check "serve bad env" 2 "max_body_bytes: '12'" -- env CONTINUUM_MAX_BODY_BYTES=12 "$bin" serve --db "$db"
check "serve short metrics token" 2 "metrics_token: at least 32" -- "$bin" serve --db "$db" --metrics-token short
check "serve print routes" 0 "^GET /api/v1/children/\{child\}$" -- "$bin" serve --print-routes
check "serve prints the one event route" 0 "^POST /api/v1/children/\{child\}/events$" -- "$bin" serve --print-routes
check "serve prints the event check route" 0 "^POST /api/v1/children/\{child\}/events/check$" -- "$bin" serve --print-routes
if "$bin" serve --print-routes | grep -qE '^(POST|DELETE) /api/v1/children/\{child\}/(notes|requests|consent|team|lead-professional|referrals|concerns|closure|people)'; then
  echo "FAIL no per-event routes"; failed=$((failed + 1))
else
  echo "ok   no per-event routes"; passed=$((passed + 1))
fi
check "agency add" 0 "Agency school-1 saved" -- "$bin" agency add school-1 --db "$db" --name "Riverside" --kind school
check "agency add la" 0 "Agency council saved" -- "$bin" agency add council --db "$db" --name "The Council" --kind local_authority
check "agency bad kind" 2 "kind" -- "$bin" agency add x --db "$db" --name "X" --kind castle
check "agency control character" 2 "name" -- "$bin" agency add x --db "$db" --name "$(printf 'X\033[2J')" --kind school
check "team unknown agency" 2 "agency" -- "$bin" team add t1 --db "$db" --agency nowhere --name "T"
check "team add" 0 "Team pastoral saved" -- "$bin" team add pastoral --db "$db" --agency school-1 --name "Pastoral"
check "team add --duty" 0 "Team fd saved" -- "$bin" team add fd --db "$db" --agency council --name "Front door" --duty worcestershire/front_door
check "team --front-door is gone" 2 "front-door" -- "$bin" team add fd2 --db "$db" --agency council --name "Front door" --front-door
check "team duty not of a framework" 2 "duty: 'worcestershire/mash' is not a duty" -- "$bin" team add fd3 --db "$db" --agency council --name "F" --duty worcestershire/mash
check "team duty of an unknown framework" 2 "duty" -- "$bin" team add fd3 --db "$db" --agency council --name "F" --duty atlantis/front_door
check "team duty without a framework" 2 "duty" -- "$bin" team add fd3 --db "$db" --agency council --name "F" --duty front_door
check "team list" 0 "fd.*council.*duty worcestershire/front_door" -- "$bin" team list --db "$db"
echo "short" >"$tmp/pw-short"
echo "a much longer passphrase" >"$tmp/pw-good"
check "user short password" 2 "password must be at least 12" -- "$bin" user add a.jones --db "$db" --name "A" --role practitioner --agency school-1 --password-file "$tmp/pw-short"
check "user bad role" 2 "role: 'wizard'" -- "$bin" user add a.jones --db "$db" --name "A" --role wizard --agency school-1 --password-file "$tmp/pw-good"
check "user unknown agency" 2 "agency" -- "$bin" user add a.jones --db "$db" --name "A" --role practitioner --agency nowhere --password-file "$tmp/pw-good"
check "user in another agency's team" 2 "team: 'fd' belongs to agency 'council'" -- "$bin" user add a.jones --db "$db" --name "A" --role practitioner --agency school-1 --team fd --password-file "$tmp/pw-good"
check "user unknown team" 2 "team" -- "$bin" user add a.jones --db "$db" --name "A" --role practitioner --agency school-1 --team nowhere --password-file "$tmp/pw-good"
check "user add" 0 "User a.jones \(u-[0-9a-f]{12}\), practitioner at school-1" -- "$bin" user add a.jones --db "$db" --name "A" --role practitioner --agency school-1 --team pastoral --password-file "$tmp/pw-good"
check "user add --totp" 0 "otpauth://totp/Continuum:t.user" -- "$bin" user add t.user --db "$db" --name "T" --role social_worker --agency council --team fd --totp --password-file "$tmp/pw-good"
check "user add lead" 0 "User l.lead" -- "$bin" user add l.lead --db "$db" --name "L" --role safeguarding_lead --agency council --password-file "$tmp/pw-good"
check "user duplicate" 2 "" -- "$bin" user add A.JONES --db "$db" --name "A" --role practitioner --agency school-1 --password-file "$tmp/pw-good"
check "user disable" 0 "Disabled a.jones" -- "$bin" user disable a.jones --db "$db"
check "user disable unknown" 2 "ghost" -- "$bin" user disable ghost --db "$db"
check "user reset nothing" 2 "nothing to reset" -- "$bin" user reset a.jones --db "$db"
check "user reset enable" 0 "User a.jones" -- "$bin" user reset a.jones --db "$db" --enable
check "user list" 0 "a.jones.*practitioner.*school-1.*pastoral.*active" -- "$bin" user list --db "$db"
check "audit needs --as" 2 "--as" -- "$bin" audit --db "$db"
check "audit by a practitioner" 2 "safeguarding lead" -- "$bin" audit --db "$db" --as a.jones
check "audit by an unknown user" 2 "no account 'ghost'" -- "$bin" audit --db "$db" --as ghost
check "audit lists changes" 0 "admin  operator:.*user disabled" -- "$bin" audit --db "$db" --as l.lead
check "audit shows a disabled user's change" 0 "user reset" -- "$bin" audit --db "$db" --as l.lead --type audit.admin
check "audit bad from" 2 "from" -- "$bin" audit --db "$db" --as l.lead --from yesterday
check "audit bad type" 2 "types" -- "$bin" audit --db "$db" --as l.lead --type plan.agreed
check "a disabled user cannot act" 2 "disabled" -- sh -c "'$bin' user disable t.user --db '$db' >/dev/null && '$bin' due --db '$db' --as t.user"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
