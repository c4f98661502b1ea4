#!/usr/bin/env bash
# Case records from the command line, end to end on a fresh database:
# register, record the pathway, read it back, deadlines, verify, import; and
# bad input to every command: a clear message, exit 2, nothing written.
#   case_cli_test.sh BINARY SOURCE_DIR [postgres]   (SQLite by default)
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CONTINUUM_FRAMEWORKS="$src/frameworks"
export CONTINUUM_DB="sqlite:$tmp/test.db"
demo_db="sqlite:$tmp/demo.db"
if [[ ${3:-} == postgres ]]; then
  # On the test server, in schemas of our own (dropped at the end).
  if [[ -z ${CONTINUUM_TEST_PG_URL:-} ]]; then
    echo "CONTINUUM_TEST_PG_URL is not set (run under scripts/with-postgres.sh); skipping"
    exit 77
  fi
  suffix=$RANDOM$RANDOM
  psql -q "$CONTINUUM_TEST_PG_URL" -c "CREATE SCHEMA cli_$suffix; CREATE SCHEMA demo_$suffix" || exit 1
  trap 'psql -q "$CONTINUUM_TEST_PG_URL" -c "DROP SCHEMA cli_$suffix CASCADE; DROP SCHEMA demo_$suffix CASCADE" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
  sep='?'; [[ $CONTINUUM_TEST_PG_URL == *\?* ]] && sep='&'
  export CONTINUUM_DB="$CONTINUUM_TEST_PG_URL${sep}options=-csearch_path%3Dcli_$suffix"
  demo_db="$CONTINUUM_TEST_PG_URL${sep}options=-csearch_path%3Ddemo_$suffix"
fi
export CONTINUUM_USER=u.tester CONTINUUM_AGENCY=test-school
passed=0
failed=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; shift; printf '     %s\n' "$@"; failed=$((failed + 1)); }

# run NAME WANT_EXIT PATTERN -- COMMAND...
run() {
  local name=$1 want=$2 pattern=$3
  shift 4
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local got=$?
  if [[ $got -ne $want ]]; then bad "$name" "exit $got, wanted $want" "$(head -c 500 "$tmp/err")"; return; fi
  if ! cat "$tmp/out" "$tmp/err" | grep -qE -- "$pattern"; then bad "$name" "output lacks /$pattern/" "$(head -c 500 "$tmp/out" "$tmp/err")"; return; fi
  ok "$name"
}
events() { "$bin" case chronology "$1" --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null || echo 0; }
# refused NAME PATTERN -- COMMAND...: exit 2, the message, and no new event for child c1
refused() {
  local name=$1 pattern=$2
  shift 3
  local before after
  before=$(events c1)
  run "$name" 2 "$pattern" -- "$@"
  after=$(events c1)
  [[ "$before" == "$after" ]] || bad "$name: nothing written" "events $before -> $after"
}

run "init" 0 "database ready" -- "$bin" init
echo '{"display_name":"Test Child","date_of_birth":"2015-04-01","nhs_number":"9990001006"}' >"$tmp/child.json"
run "create" 0 "recorded child.registered" -- "$bin" case create --framework worcestershire --child c1 "$tmp/child.json"
run "create twice" 2 "already registered" -- "$bin" case create --framework worcestershire --child c1 "$tmp/child.json"
echo '{"display_name":"X","date_of_birth":"2015-04-01","nhs_number":"9990001007"}' >"$tmp/badnhs.json"
run "create bad NHS number" 2 "not a valid NHS number" -- "$bin" case create --framework worcestershire --child c2 "$tmp/badnhs.json"
run "create unknown framework" 2 "unknown framework" -- "$bin" case create --framework atlantis --child c3 "$tmp/child.json"
run "create no actor" 2 "--as USER" -- env -u CONTINUUM_USER "$bin" case create --framework worcestershire --child c4 "$tmp/child.json"

rec() {  # rec ROLE EVENT JSON [--at TIME]
  local role=$1 ev=$2 fields=$3
  shift 3
  echo "$fields" >"$tmp/f.json"
  "$bin" case record c1 "$ev" "$tmp/f.json" --role "$role" "$@"
}
at() { date -u -d "$1" +%Y-%m-%dT10:00:00Z; }
day() { date -u -d "$1" +%Y-%m-%d; }

run "next" 0 "request.received" -- "$bin" case next c1
echo '{"source":"school","reason":"Attendance has dropped","immediate_risk":false,"consent":"given"}' >"$tmp/req.json"
run "record request" 0 "due .*Front door decision" -- "$bin" case record c1 request.received "$tmp/req.json" --role practitioner --at "$(at '30 days ago')"
refused "record from the wrong state" "cannot be recorded while the case is 'requested'" -- "$bin" case record c1 plan.agreed "$tmp/req.json" --role lead_professional
refused "record wrong role" "role 'practitioner' may not" -- "$bin" case record c1 request.decided "$tmp/req.json" --role practitioner
echo '{"decision":"early_help","rationale":"Level 2","level":2,"colour":"red"}' >"$tmp/dec.json"
refused "record unknown field" "unknown field 'colour'" -- "$bin" case record c1 request.decided "$tmp/dec.json" --role front_door
echo '{"decision":"early_help"' >"$tmp/broken.json"
refused "record malformed JSON" "invalid JSON" -- "$bin" case record c1 request.decided "$tmp/broken.json" --role front_door
refused "record unknown event" "not an event of worcestershire's pathway" -- "$bin" case record c1 made.up "$tmp/req.json" --role front_door
refused "record future time" "in the future" -- "$bin" case record c1 note.added "$tmp/req.json" --role practitioner --at 2099-01-01T00:00:00Z
refused "record unknown child" "no child 'nobody'" -- "$bin" case record nobody note.added "$tmp/req.json" --role practitioner
echo '{"decision":"early_help","rationale":"Level 2","level":2}' >"$tmp/dec.json"
run "record decision" 0 "requested -> early_help" -- "$bin" case record c1 request.decided "$tmp/dec.json" --role front_door --at "$(at '29 days ago')"
rec practitioner assessment.started '{"assessment_type":"early_help_assessment","assessor":"u.tester"}' --at "$(at '28 days ago')" >/dev/null
rec practitioner assessment.completed '{"needs":"n","strengths":"s","child_views":"c","parent_views":"p"}' --at "$(at '20 days ago')" >/dev/null
rec lead_professional plan.agreed "{\"plan_type\":\"single_agency\",\"outcomes\":[\"o\"],\"review_date\":\"$(day '30 days')\"}" --at "$(at '19 days ago')" >/dev/null
rec lead_professional action.added "{\"action_id\":\"a1\",\"description\":\"d\",\"owner\":\"u.mentor\",\"agency\":\"test-school\",\"due_date\":\"$(day '2 days ago')\",\"measure\":\"m\"}" --at "$(at '19 days ago')" >/dev/null
run "show" 0 "Family Plan in place" -- "$bin" case show c1
run "show json" 0 '"open_deadlines"' -- "$bin" case show c1 --json
run "chronology" 0 "Request for support received \*\*" -- "$bin" case chronology c1
run "chronology filtered" 0 "plan.agreed" -- "$bin" case chronology c1 --type 'plan.*' --json
n=$("$bin" case chronology c1 --significance 2 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[[ $n -ge 3 ]] && ok "chronology by significance ($n key events)" || bad "chronology by significance" "$n"
run "chronology bad date" 2 "--from" -- "$bin" case chronology c1 --from 2026-13-01
run "due overdue" 0 "OVERDUE .*c1" -- "$bin" due --overdue
run "due by owner" 0 "u.mentor" -- "$bin" due --owner u.mentor --json
run "due nothing for others" 0 "nothing due" -- "$bin" due --owner someone.else

# correction: supersedes, keeps both
id=$("$bin" case chronology c1 --type request.received --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
echo '{"reason":"Attendance has dropped to 80%"}' >"$tmp/corr.json"
run "correct" 0 "record.corrected" -- "$bin" case correct c1 "$id" "$tmp/corr.json" --reason "Figure added"
run "chronology shows correction" 0 "corrected later" -- "$bin" case chronology c1
refused "correct without reason" "reason" -- "$bin" case correct c1 "$id" "$tmp/corr.json"
refused "correct unknown event" "no event|not 32 lowercase hex" -- "$bin" case correct c1 nosuchevent "$tmp/corr.json" --reason r

run "verify" 0 "^ok: [0-9]+ events" -- "$bin" verify

# import
cat >"$tmp/children.csv" <<'CSV'
child_id,display_name,date_of_birth,nhs_number,upn
k1,Ann Smith,2014-02-03,9990002002,
k2,"Bob ""Jr"" Jones",2016-07-08,,A123456789012
k3,Cal Bad,2016-02-30,,
k4,Dee Bad,2015-01-01,1234567890,
k5,Eve Ok,2017-03-04,9990003009,
CSV
run "import keeps good rows" 2 "children.csv:4: .*date_of_birth" -- "$bin" import "$tmp/children.csv" --framework devon
grep -q "children.csv:5: .*NHS number" "$tmp/err" && ok "import reports line 5" || bad "import reports line 5" "$(cat "$tmp/err")"
grep -q "imported 3 of 5" "$tmp/out" && ok "import counts" || bad "import counts" "$(cat "$tmp/out")"
run "imported child readable" 0 "Bob \"Jr\" Jones" -- "$bin" case show k2
sed 's/^k/m/' "$tmp/children.csv" | sed 's/^mhild_id/child_id/' >"$tmp/children2.csv"
run "import all-or-nothing" 2 "nothing imported" -- "$bin" import "$tmp/children2.csv" --framework devon --all-or-nothing
run "all-or-nothing wrote nothing" 2 "no child 'm1'" -- "$bin" case show m1
printf 'display_name,date_of_birth,shoe_size\nA,2015-01-01,4\n' >"$tmp/cols.csv"
run "import unknown column" 2 "unknown column 'shoe_size'" -- "$bin" import "$tmp/cols.csv" --framework devon
printf 'display_name,date_of_birth\n"unterminated,2015-01-01\n' >"$tmp/quote.csv"
run "import broken quote" 2 "quote|malformed" -- "$bin" import "$tmp/quote.csv" --framework devon
run "import missing file" 2 "cannot open" -- "$bin" import "$tmp/none.csv" --framework devon

run "verify after import" 0 "^ok" -- "$bin" verify

# The demo families go through the same pathway checks, under every framework.
run "demo loads" 0 "demo: [0-9]+ children" -- "$bin" demo --db "$demo_db"
run "demo again skips" 0 "already there" -- "$bin" demo --db "$demo_db"
run "demo verifies" 0 "^ok" -- "$bin" verify --db "$demo_db"
run "demo has overdue work" 0 "OVERDUE" -- "$bin" due --db "$demo_db" --overdue
run "demo bad file" 2 "cannot read demo file" -- "$bin" demo --db "$demo_db" --file "$tmp/none.yaml"
run "bad db url" 2 "" -- "$bin" verify --db "mysql://nowhere"

# --- Signed checkpoints: a witness file written after each command that
# appends, checked by verify; a tail cut off with the chain head set back
# passes a plain verify and fails one with the witness.
# rawsql SQL: underneath Continuum, as an insider with database access.
rawsql() {
  if [[ $CONTINUUM_DB == postgres* ]]; then
    psql -q -v ON_ERROR_STOP=1 "$CONTINUUM_DB" -c "SET session_replication_role TO replica; $1"
  else
    python3 - "$tmp/test.db" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete; " + sys.argv[2])
db.commit()
PY
  fi
}
lines() { wc -l <"$tmp/w.log" 2>/dev/null || echo 0; }
run "witness keygen" 0 "witness key [0-9a-f]{16}" -- "$bin" witness keygen --secret-key "$tmp/w.key" --public-key "$tmp/w.pub"
[[ $(stat -c %a "$tmp/w.key") == 600 ]] && ok "the secret key is mode 600" || bad "the secret key is mode 600" "$(stat -c %a "$tmp/w.key")"
run "keygen never overwrites" 2 "exists already" -- "$bin" witness keygen --secret-key "$tmp/w.key" --public-key "$tmp/w2.pub"
export CONTINUUM_WITNESS_KEY="$tmp/w.key" CONTINUUM_WITNESS_FILE="$tmp/w.log"
run "agency add, witnessed" 0 "Agency w-school saved" -- "$bin" agency add w-school --name "W School" --kind school
[[ $(lines) -eq 1 ]] && ok "a checkpoint after the command" || bad "a checkpoint after the command" "$(lines) lines"
run "a read signs nothing" 0 "w-school" -- "$bin" agency list
run "nothing new to sign" 0 "no new checkpoint" -- "$bin" witness checkpoint
[[ $(lines) -eq 1 ]] && ok "still one checkpoint" || bad "still one checkpoint" "$(lines) lines"
run "team add, witnessed" 0 "Team w-team saved" -- "$bin" team add w-team --agency w-school --name "W Team"
[[ $(lines) -eq 2 ]] && ok "a second checkpoint" || bad "a second checkpoint" "$(lines) lines"
chmod 644 "$tmp/w.key"
run "a key others may read refuses the command" 2 "may be read by others" -- "$bin" agency add x-school --name X --kind school
chmod 600 "$tmp/w.key"
run "refused before writing" 0 "^w-school" -- "$bin" agency list
grep -q x-school "$tmp/out" && bad "refused before writing" "x-school was saved" || ok "x-school was not saved"
CONTINUUM_WITNESS_FILE='' run "a key without a file is refused" 2 "no witness file" -- "$bin" agency add x-school --name X --kind school
unset CONTINUUM_WITNESS_KEY CONTINUUM_WITNESS_FILE
run "verify with the witness" 0 "ok: 2 checkpoint\(s\) in .* agree with the log" -- "$bin" verify --witness "$tmp/w.log" --public-key "$tmp/w.pub"
run "verify needs the public key" 2 "go together" -- "$bin" verify --witness "$tmp/w.log"
run "verify: missing witness file" 2 "does not exist" -- "$bin" verify --witness "$tmp/none.log" --public-key "$tmp/w.pub"

# The insider: the team's events cut off, the chain head set back, the row removed.
read -r seq1 hash1 < <(head -1 "$tmp/w.log" | python3 -c 'import json,sys; c=json.loads(sys.stdin.read()); print(c["seq"], c["hash"])')
rawsql "DELETE FROM events WHERE seq > $seq1; UPDATE chain_head SET seq = $seq1, hash = '$hash1' WHERE id = 1; DELETE FROM teams WHERE id = 'w-team';"
run "a cut tail passes a plain verify" 0 "^ok" -- "$bin" verify
run "the witness reveals the cut tail" 1 "removed from the end of the log" -- "$bin" verify --witness "$tmp/w.log" --public-key "$tmp/w.pub"
sed -i '1s/"seq":[0-9]*/"seq":1/' "$tmp/w.log"
run "an edited witness line is reported" 1 "w.log line 1: the signature does not verify" -- "$bin" verify --witness "$tmp/w.log" --public-key "$tmp/w.pub"
rawsql "UPDATE agencies SET kind = 'police' WHERE id = 'w-school';"
run "a directory row changed underneath" 1 "agencies \[w-school\]: kind is \"police\" in the table but \"school\" on replay" -- "$bin" verify

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
