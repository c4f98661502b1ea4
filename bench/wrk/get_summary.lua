-- wrk script: GET a case summary as a logged-in user.
--   BENCH_TOKEN=… wrk -t1 -c64 -d10s --latency -s bench/wrk/get_summary.lua \
--     http://127.0.0.1:PORT/api/v1/children/CHILD
-- The same script is used against nginx serving the same bytes as a static
-- file (nginx ignores the header), so both see identical requests. No
-- response() callback: wrk then does not hand each body to Lua, and counts
-- non-2xx answers itself ("Non-2xx or 3xx responses").
local token = os.getenv("BENCH_TOKEN") or ""
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. token
