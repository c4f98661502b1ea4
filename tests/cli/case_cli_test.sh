#!/usr/bin/env bash
# Case records from the command line, end to end on a fresh database: the
# accounts first (as the host operator), then every case command as a named
# user (--as): register, the pathway recorded by those the record allows,
# reading back, deadlines, corrections, verify, import, the audit trail of
# those reads, and the demo families; bad input to every command: a clear
# message, exit 2, nothing written. Text output never holds a raw control
# character.
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
unset CONTINUUM_USER CONTINUUM_NOW
passed=0
failed=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; shift; printf '     %s\n' "$@"; failed=$((failed + 1)); }

# A raw control character (other than the newline ending a line) in a file.
has_control() { LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$@"; }

# run NAME WANT_EXIT PATTERN -- COMMAND...   (PATTERN is grepped in stdout+stderr;
# on exit 2 nothing may be printed on stdout; no output holds a raw control character)
run() {
  local name=$1 want=$2 pattern=$3
  shift 4
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local got=$?
  if [[ $got -ne $want ]]; then bad "$name" "exit $got, wanted $want" "$(head -c 500 "$tmp/out" "$tmp/err")"; return; fi
  if ! cat "$tmp/out" "$tmp/err" | grep -qE -- "$pattern"; then bad "$name" "output lacks /$pattern/" "$(head -c 500 "$tmp/out" "$tmp/err")"; return; fi
  if [[ $want -eq 2 && -s "$tmp/out" && -z ${SUMMARY_ON_STDOUT:-} ]]; then bad "$name" "wrote to stdout on bad input" "$(head -c 300 "$tmp/out")"; return; fi
  if has_control "$tmp/out" "$tmp/err"; then bad "$name" "a raw control character in the output" "$(cat -v "$tmp/out" "$tmp/err" | head -c 300)"; return; fi
  ok "$name"
}
# The events in a child's chronology, as someone who may read it.
events() {
  "$bin" case chronology "$1" --as "$2" --json 2>/dev/null |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["events"]))' 2>/dev/null || echo "unreadable"
}
# refused NAME PATTERN -- COMMAND...: exit 2, the message, and no new event for child $c1
refused() {
  local name=$1 pattern=$2
  shift 3
  local before after
  before=$(events "$c1" e.worker)
  run "$name" 2 "$pattern" -- "$@"
  after=$(events "$c1" e.worker)
  [[ "$before" == "$after" ]] || bad "$name: nothing written" "events $before -> $after"
}
fields() { echo "$1" >"$tmp/f.json"; echo "$tmp/f.json"; }
at() { date -u -d "$1" +%Y-%m-%dT10:00:00Z; }
day() { date -u -d "$1" +%Y-%m-%d; }
uid_of() { grep "^User $1 (" "$tmp/users.txt" | sed 's/^User [^ ]* (\(u-[0-9a-f]*\)).*/\1/'; }

# --- the directory, as the host operator -----------------------------------
run "init" 0 "database ready" -- "$bin" init
run "agency" 0 "saved" -- "$bin" agency add ag-sc --name "Children's Social Care" --kind social_care
"$bin" agency add ag-school --name "Hill School" --kind school >/dev/null
"$bin" agency add ag-eh --name "Early Help" --kind early_help >/dev/null
"$bin" agency add ag-la --name "The Council" --kind local_authority >/dev/null
"$bin" agency add ag-health --name "Health" --kind health >/dev/null
run "front door team" 0 "saved" -- "$bin" team add fd --agency ag-sc --name "Family Front Door" --duty worcestershire/front_door
run "devon front door team" 0 "saved" -- "$bin" team add dv-fd --agency ag-sc --name "Devon MASH" --duty devon/front_door
"$bin" team add eh-team --agency ag-eh --name "Family workers" >/dev/null
run "team --front-door is gone" 2 "front-door" -- "$bin" team add old --agency ag-sc --name "Old" --front-door
run "team unknown duty" 2 "duty" -- "$bin" team add x --agency ag-sc --name "X" --duty worcestershire/nothing
: >"$tmp/users.txt"
adduser() {  # adduser NAME ROLE AGENCY [TEAM]
  local args=(user add "$1" --name "$1" --role "$2" --agency "$3" --password-file -)
  [[ -n ${4:-} ]] && args+=(--team "$4")
  echo "Long-enough-passphrase-42" | "$bin" "${args[@]}" >>"$tmp/users.txt" 2>"$tmp/err" || bad "user add $1" "$(cat "$tmp/err")"
}
adduser f.door front_door ag-sc fd
adduser s.worker social_worker ag-sc fd
adduser d.door front_door ag-sc dv-fd
adduser t.teacher practitioner ag-school
adduser e.worker lead_professional ag-eh eh-team
adduser a.mentor practitioner ag-eh eh-team
adduser l.lead safeguarding_lead ag-la
adduser h.lead safeguarding_lead ag-health
run "user in another agency's team" 2 "agency" -- sh -c "echo Long-enough-passphrase-42 | '$bin' user add z.zed --name Z --role practitioner --agency ag-school --team fd --password-file -"
e_worker=$(uid_of e.worker)
a_mentor=$(uid_of a.mentor)
t_teacher=$(uid_of t.teacher)
[[ $e_worker == u-* && $a_mentor == u-* ]] && ok "user ids" || bad "user ids" "$(cat "$tmp/users.txt")"

# --- who is acting --------------------------------------------------------------
echo '{"display_name":"Test Child","date_of_birth":"2015-04-01","nhs_number":"9990001006"}' >"$tmp/child.json"
run "create needs --as" 2 "--as USER" -- "$bin" case create --framework worcestershire "$tmp/child.json"
run "create --role is gone" 2 "role" -- "$bin" case create --framework worcestershire "$tmp/child.json" --as t.teacher --role practitioner
run "create --agency is gone" 2 "agency" -- "$bin" case create --framework worcestershire "$tmp/child.json" --as t.teacher --agency ag-school
run "create as an unknown user" 2 "no account 'ghost'" -- "$bin" case create --framework worcestershire "$tmp/child.json" --as ghost
run "create" 0 "registered c-[0-9a-f]+ under worcestershire" -- "$bin" case create --framework worcestershire "$tmp/child.json" --as t.teacher
c1=$(sed -n 's/^registered \(c-[0-9a-f]*\) .*/\1/p' "$tmp/out")
[[ -n $c1 ]] || { bad "child id" "$(cat "$tmp/out")"; echo "$passed passed, $failed failed"; exit 1; }
echo '{"display_name":"X","date_of_birth":"2015-04-01","nhs_number":"9990001007"}' >"$tmp/badnhs.json"
run "create bad NHS number" 2 "not a valid NHS number" -- "$bin" case create --framework worcestershire "$tmp/badnhs.json" --as t.teacher
run "create unknown framework" 2 "framework" -- "$bin" case create --framework atlantis "$tmp/child.json" --as t.teacher
printf '{"display_name":"Esc\\u001b[31mape","date_of_birth":"2015-04-01"}' >"$tmp/ctl-child.json"
run "create with a control character in the name" 2 "display_name" -- "$bin" case create --framework worcestershire "$tmp/ctl-child.json" --as t.teacher

# --- the school refers: an entry event, which grants nothing -------------------------
req=$(fields '{"source":"school","reason":"Attendance has dropped","immediate_risk":false,"consent":"given"}')
run "the school records a request" 0 "recorded request.received" -- "$bin" case record "$c1" request.received "$req" --as t.teacher --at "$(at '30 days ago')"
grep -qE "case:|due " "$tmp/out" && bad "the referrer is told nothing of the case" "$(cat "$tmp/out")" || ok "the referrer is told nothing of the case"
run "the school cannot read it back" 2 "you may not see" -- "$bin" case show "$c1" --as t.teacher
no_access=$(cat "$tmp/err")
run "a child that does not exist" 2 "you may not see" -- "$bin" case show c-nobody --as t.teacher
[[ "$(cat "$tmp/err")" == "$no_access" ]] && ok "the same refusal for a child that does not exist" || bad "the same refusal" "$no_access" "$(cat "$tmp/err")"
run "host operator cannot read a child" 2 "--as" -- "$bin" case show "$c1"
run "CONTINUUM_USER names the user" 0 "Request for support awaiting a decision" -- env CONTINUUM_USER=f.door "$bin" case show "$c1"
run "the front door on duty reads it" 0 "Your access: front-door duty" -- "$bin" case show "$c1" --as f.door
run "next" 0 "request.decided" -- "$bin" case next "$c1" --as f.door
run "next refused to the school" 2 "you may not see" -- "$bin" case next "$c1" --as t.teacher

refused "record from the wrong state" "cannot be recorded while the case is 'requested'" -- "$bin" case record "$c1" plan.agreed "$req" --as f.door
refused "record wrong role" "role 'front_door' may not" -- "$bin" case record "$c1" team.member_added "$(fields "{\"member\":\"$a_mentor\",\"role\":\"mentor\"}")" --as f.door
refused "record --role is gone" "role" -- "$bin" case record "$c1" note.added "$(fields '{"text":"x"}')" --as f.door --role social_worker
refused "record unknown field" "unknown field 'colour'" -- "$bin" case record "$c1" request.decided "$(fields '{"decision":"early_help","rationale":"Level 2","level":2,"colour":"red"}')" --as f.door
echo '{"decision":"early_help"' >"$tmp/broken.json"
refused "record malformed JSON" "invalid JSON" -- "$bin" case record "$c1" request.decided "$tmp/broken.json" --as f.door
refused "record unknown event" "not an event of worcestershire's pathway" -- "$bin" case record "$c1" made.up "$req" --as f.door
refused "record future time" "in the future" -- "$bin" case record "$c1" note.added "$(fields '{"text":"x"}')" --as f.door --at 2099-01-01T00:00:00Z
refused "record a note by an outsider" "you may not see" -- "$bin" case record "$c1" note.added "$(fields '{"text":"x"}')" --as t.teacher
refused "record for a child that does not exist" "you may not see" -- "$bin" case record c-nobody note.added "$(fields '{"text":"x"}')" --as f.door
printf '{"text":"bell \\u0007 and escape \\u001b[2J"}' >"$tmp/ctl.json"
refused "a note with control characters" "control characters" -- "$bin" case record "$c1" note.added "$tmp/ctl.json" --as f.door
before=$(events "$c1" f.door)
run "check a note without recording it" 0 "would be accepted: note.added" -- "$bin" case record "$c1" note.added "$(fields '{"text":"x"}')" --as f.door --check
[[ "$(events "$c1" f.door)" == "$before" ]] && ok "--check writes nothing" || bad "--check writes nothing" "$before -> $(events "$c1" f.door)"

# --- the front door decides; the duty team allocates; the lead professional works the plan
refused "early help needs the family's consent on the record" "record their consent before deciding on early help" -- "$bin" case record "$c1" request.decided "$(fields '{"decision":"early_help","rationale":"Level 2","level":2}')" --as f.door
run "the front door records the family's consent" 0 "recorded consent.given" -- "$bin" case record "$c1" consent.given "$(fields "{\"given_by\":\"Pat Parent\",\"relationship\":\"parent\",\"agencies\":[\"ag-eh\"],\"purpose\":\"early help\",\"form\":\"written\",\"given_on\":\"$(day '29 days ago')\"}")" --as f.door --at "$(at '29 days ago')"
run "record decision" 0 "requested -> early_help" -- "$bin" case record "$c1" request.decided "$(fields '{"decision":"early_help","rationale":"Level 2","level":2}')" --as f.door --at "$(at '29 days ago')"
run "the duty team allocates the lead professional" 0 "recorded lead_professional.assigned" -- "$bin" case record "$c1" lead_professional.assigned "$(fields "{\"lead_professional\":\"$e_worker\",\"service\":\"early_help\"}")" --as s.worker --at "$(at '29 days ago')"
run "the case is no longer the duty team's" 2 "you may not see" -- "$bin" case show "$c1" --as f.door
rec() {  # rec USER EVENT JSON [--at TIME]
  local user=$1 ev=$2 json=$3
  shift 3
  "$bin" case record "$c1" "$ev" "$(fields "$json")" --as "$user" "$@" >"$tmp/rec.out" 2>&1 || bad "record $ev as $user" "$(cat "$tmp/rec.out")"
}
rec e.worker team.member_added "{\"member\":\"$a_mentor\",\"role\":\"mentor\"}" --at "$(at '28 days ago')"
rec e.worker assessment.started "{\"assessment_type\":\"early_help_assessment\",\"assessor\":\"$e_worker\"}" --at "$(at '28 days ago')"
rec e.worker assessment.completed '{"needs":"n","strengths":"s","child_views":"c","parent_views":"p"}' --at "$(at '20 days ago')"
rec e.worker action.added "{\"action_id\":\"a1\",\"description\":\"d\",\"owner\":\"$a_mentor\",\"agency\":\"ag-eh\",\"due_date\":\"$(day '2 days ago')\",\"measure\":\"m\"}" --at "$(at '19 days ago')"
rec e.worker person.added '{"person_id":"pat","name":"Pat Parent","relationship":"parent","lives_with_child":true}' --at "$(at '19 days ago')"
rec e.worker plan.agreed "{\"plan_type\":\"single_agency\",\"outcomes\":[\"o\"],\"review_date\":\"$(day '30 days')\",\"lead_professional\":\"$e_worker\",\"shared_with_family\":[\"pat\"]}" --at "$(at '19 days ago')"
printf '{"text":"line one\\nline two\\twith a tab"}' >"$tmp/multiline.json"
run "a note over two lines" 0 "recorded note.added" -- "$bin" case record "$c1" note.added "$tmp/multiline.json" --as a.mentor
run "show" 0 "Family Plan in place" -- "$bin" case show "$c1" --as e.worker
run "show json" 0 '"deadlines"' -- "$bin" case show "$c1" --as e.worker --json
run "show as a team member with consent" 0 "Your access: team member; consent given" -- "$bin" case show "$c1" --as a.mentor
run "chronology" 0 "request.received \*\*" -- "$bin" case chronology "$c1" --as e.worker
grep -q 'line one\\x0aline two\\x09with a tab' "$tmp/out" && ok "chronology shows a newline and a tab escaped" || bad "chronology escapes" "$(grep 'line one' "$tmp/out")"
grep -q "withheld / withheld" "$tmp/out" && ok "who made the request is withheld outside social care and the school" || bad "withheld" "$(head -5 "$tmp/out")"
run "chronology filtered" 0 "plan.agreed" -- "$bin" case chronology "$c1" --as e.worker --type 'plan.*' --json
n=$("$bin" case chronology "$c1" --as e.worker --significance 2 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["events"]))')
[[ $n -ge 3 ]] && ok "chronology by significance ($n key events)" || bad "chronology by significance" "$n"
run "chronology bad date" 2 "from" -- "$bin" case chronology "$c1" --as e.worker --from 2026-13-01
run "due overdue" 0 "OVERDUE .*$c1" -- "$bin" due --overdue --as e.worker
run "due by owner" 0 "$a_mentor" -- "$bin" due --owner "$a_mentor" --json --as e.worker
run "due mine" 0 "$c1" -- "$bin" due --mine --as a.mentor
run "due nothing for others" 0 "nothing due" -- "$bin" due --owner someone.else --as e.worker
run "due shows the school nothing" 0 "nothing" -- "$bin" due --as t.teacher
run "due needs --as" 2 "--as" -- "$bin" due

# correction: supersedes, keeps both; only by the agency that recorded it
id=$("$bin" case chronology "$c1" --as e.worker --type assessment.completed --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"][0]["id"])')
req_id=$("$bin" case chronology "$c1" --as e.worker --type request.received --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"][0]["id"])')
echo '{"needs":"School attendance and sleep"}' >"$tmp/corr.json"
run "correct" 0 "recorded correction" -- "$bin" case correct "$c1" "$id" "$tmp/corr.json" --reason "Sleep added" --as e.worker
run "chronology shows correction" 0 "corrected later" -- "$bin" case chronology "$c1" --as e.worker
echo '{"reason":"Attendance has dropped to 80%"}' >"$tmp/corr2.json"
refused "correct another agency's event" "only the agency that recorded" -- "$bin" case correct "$c1" "$req_id" "$tmp/corr2.json" --reason "Figure added" --as e.worker
refused "correct as an outsider" "you may not see" -- "$bin" case correct "$c1" "$req_id" "$tmp/corr2.json" --reason "Figure added" --as t.teacher
refused "correct without reason" "reason" -- "$bin" case correct "$c1" "$id" "$tmp/corr.json" --as e.worker
refused "correct unknown event" "no such event" -- "$bin" case correct "$c1" 00000000000000000000000000000000 "$tmp/corr.json" --reason r --as e.worker

# --- every read is audited; the audit trail is a safeguarding lead's -------------------
run "audit shows the CLI reads" 0 "read .*case show" -- "$bin" audit --as l.lead --child "$c1" --type audit.read
"$bin" audit --as l.lead --child "$c1" --json --limit 10000 >"$tmp/audit.jsonl" 2>/dev/null
python3 - "$tmp/audit.jsonl" "$e_worker" "$t_teacher" <<'PY' && ok "the audit records who read, via the CLI, and who was refused" || bad "audit records" "$(head -c 600 "$tmp/audit.jsonl")"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
reads = [r for r in recs if r["type"] == "audit.read" and r["user"] == sys.argv[2]]
assert reads and all(r["detail"].get("via") == "cli" for r in reads), reads[:2]
assert any(r["detail"].get("operation") == "case show" for r in reads), reads[:2]
denied = [r for r in recs if r["type"] == "audit.denied" and r["user"] == sys.argv[3]]
assert denied, "the school's refused read is not audited"
PY
run "audit needs a safeguarding lead" 2 "safeguarding lead" -- "$bin" audit --as e.worker
run "audit needs --as" 2 "--as" -- "$bin" audit
"$bin" audit --as h.lead --child "$c1" --json --limit 10000 >"$tmp/audit2.jsonl" 2>/dev/null
[[ ! -s "$tmp/audit2.jsonl" ]] && ok "a lead of an agency not working with the child sees none of its audit" || bad "unrelated lead's audit" "$(head -c 300 "$tmp/audit2.jsonl")"
run "audit as the host operator's changes" 0 "admin .*operator:" -- "$bin" audit --as l.lead --type audit.admin

run "verify" 0 "^ok: [0-9]+ events" -- "$bin" verify

# --- import: registering grants nothing; a request puts the child before the front door
cat >"$tmp/children.csv" <<'CSV'
child_id,display_name,date_of_birth,nhs_number,upn
k1,Ann Smith,2014-02-03,9990002002,
k2,"Bob ""Jr"" Jones",2016-07-08,,A123456789012
k3,Cal Bad,2016-02-30,,
k4,Dee Bad,2015-01-01,1234567890,
k5,Eve Ok,2017-03-04,9990003009,
CSV
run "import needs --as" 2 "--as" -- "$bin" import "$tmp/children.csv" --framework devon
SUMMARY_ON_STDOUT=1 run "import keeps good rows" 2 "children.csv:4: .*date_of_birth" -- "$bin" import "$tmp/children.csv" --framework devon --as s.worker
grep -q "children.csv:5: .*NHS number" "$tmp/err" && ok "import reports line 5" || bad "import reports line 5" "$(cat "$tmp/err")"
grep -q "imported 3 of 5" "$tmp/out" && ok "import counts" || bad "import counts" "$(cat "$tmp/out")"
run "an imported child is no one's yet" 2 "you may not see" -- "$bin" case show k2 --as s.worker
run "a request for an imported child" 0 "recorded request.received" -- "$bin" case record k2 request.received "$(fields '{"source":"school","reason":"Worried","immediate_risk":false,"family_informed":true,"consent":"given","written_consent":true}')" --as t.teacher
run "Devon's front door reads the imported child" 0 "Bob \"Jr\" Jones" -- "$bin" case show k2 --as d.door
run "Worcestershire's front door does not" 2 "you may not see" -- "$bin" case show k2 --as f.door
sed 's/^k/m/' "$tmp/children.csv" | sed 's/^mhild_id/child_id/' >"$tmp/children2.csv"
run "import all-or-nothing" 2 "nothing imported" -- "$bin" import "$tmp/children2.csv" --framework devon --all-or-nothing --as s.worker
run "all-or-nothing wrote nothing" 2 "you may not see" -- "$bin" case record m1 request.received "$(fields '{"source":"school","reason":"Worried","immediate_risk":false,"family_informed":true,"consent":"given","written_consent":true}')" --as t.teacher
printf 'display_name,date_of_birth,shoe_size\nA,2015-01-01,4\n' >"$tmp/cols.csv"
run "import unknown column" 2 "unknown column 'shoe_size'" -- "$bin" import "$tmp/cols.csv" --framework devon --as s.worker
printf 'display_name,date_of_birth\n"unterminated,2015-01-01\n' >"$tmp/quote.csv"
run "import broken quote" 2 "quote|malformed" -- "$bin" import "$tmp/quote.csv" --framework devon --as s.worker
run "import missing file" 2 "cannot open" -- "$bin" import "$tmp/none.csv" --framework devon --as s.worker

run "verify after import" 0 "^ok" -- "$bin" verify

# --- control characters never reach the terminal raw ---------------------------------------
run "an unknown user with an escape in the name" 2 "no account|control character" -- "$bin" case show "$c1" --as "$(printf 'gh\033[31most')"
run "a child id with an escape" 2 "you may not see|control character" -- "$bin" case show "$(printf 'c-\033[2J')" --as e.worker
run "a framework with an escape" 2 "framework" -- "$bin" case create --framework "$(printf 'wo\033]0;x\007')" "$tmp/child.json" --as t.teacher

# The demo families go through the same rules, under every framework.
run "demo loads" 0 "demo: [0-9]+ children" -- "$bin" demo --db "$demo_db"
run "demo again skips" 0 "already there" -- "$bin" demo --db "$demo_db"
run "demo verifies" 0 "^ok" -- "$bin" verify --db "$demo_db"
run "demo has overdue work for its lead professional" 0 "OVERDUE .*demo-wo-jayden" -- "$bin" due --db "$demo_db" --overdue --as m.clarke
run "demo child shown to its social worker" 0 "Lily Carter" -- "$bin" case show demo-wo-lily --db "$demo_db" --as r.patel
run "demo child refused to a teacher" 2 "you may not see" -- "$bin" case show demo-wo-lily --db "$demo_db" --as t.jones
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
run "a read, audited, is witnessed too" 0 "w-school" -- "$bin" agency list
[[ $(lines) -eq 2 ]] && ok "a checkpoint after the read's audit record" || bad "a checkpoint after the read's audit record" "$(lines) lines"
run "nothing new to sign" 0 "no new checkpoint" -- "$bin" witness checkpoint
[[ $(lines) -eq 2 ]] && ok "still two checkpoints" || bad "still two checkpoints" "$(lines) lines"
run "team add, witnessed" 0 "Team w-team saved" -- "$bin" team add w-team --agency w-school --name "W Team"
[[ $(lines) -eq 3 ]] && ok "a third checkpoint" || bad "a third checkpoint" "$(lines) lines"
chmod 644 "$tmp/w.key"
run "a key others may read refuses the command" 2 "may be read by others" -- "$bin" agency add x-school --name X --kind school
chmod 600 "$tmp/w.key"
run "refused before writing" 0 "^w-school" -- "$bin" agency list
grep -q x-school "$tmp/out" && bad "refused before writing" "x-school was saved" || ok "x-school was not saved"
CONTINUUM_WITNESS_FILE='' run "a key without a file is refused" 2 "no witness file" -- "$bin" agency add x-school --name X --kind school
unset CONTINUUM_WITNESS_KEY CONTINUUM_WITNESS_FILE
run "verify with the witness" 0 "ok: [0-9]+ checkpoint\(s\) in .* agree with the log" -- "$bin" verify --witness "$tmp/w.log" --public-key "$tmp/w.pub"
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
