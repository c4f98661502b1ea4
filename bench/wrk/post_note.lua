-- wrk script: POST a case note (note.added) as a logged-in user, and count
-- the answers by status.
--   BENCH_TOKEN=… wrk -t1 -c64 -d10s --latency -s bench/wrk/post_note.lua \
--     http://127.0.0.1:PORT/api/v1/children/CHILD/events
-- Prints "created N other M seconds S" at the end: N responses 201 (each
-- one an event and its audit record committed), M anything else.
local token = os.getenv("BENCH_TOKEN") or ""
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"note.added","fields":{"text":"Home visit with mother and both children. Attendance has improved to 91% ' ..
           'since the last review; the school nurse will see Alex about sleep. Mother asked for help with ' ..
           'housing repairs; referred to the housing officer."}}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  created = 0
  other = 0
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  io.write(string.format("created %d other %d seconds %.3f\n", c, o, summary.duration / 1e6))
end
