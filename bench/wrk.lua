-- wrk script for bench/run.py. Configured by environment variables:
--   BENCH_PATH    request path
--   BENCH_KIND    static | queue_update | category_update | queue_create | queue_move
--   BENCH_TOKENS  comma-separated bearer tokens, used round-robin (static, *_update, create)
--   BENCH_BODY    the JSON body for static
--   BENCH_IDS     comma-separated object ids for *_update (round-robin)
--   BENCH_PAIRS   comma-separated token:from:to for queue_move (direction alternates)
--   BENCH_SALT    makes generated names unique across runs (warm-up and measured run)
-- At the end each thread's summary is printed as one line: BENCH_JSON {...}.

local function split(s, sep)
  local out = {}
  for part in string.gmatch(s or "", "([^" .. sep .. "]+)") do out[#out + 1] = part end
  return out
end

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  threads[#threads + 1] = thread
end

local path, kind, tokens, body, ids, pairs_, n, salt

function init(args)
  path = os.getenv("BENCH_PATH")
  kind = os.getenv("BENCH_KIND") or "static"
  tokens = split(os.getenv("BENCH_TOKENS"), ",")
  body = os.getenv("BENCH_BODY") or "{}"
  ids = split(os.getenv("BENCH_IDS"), ",")
  pairs_ = {}
  for _, p in ipairs(split(os.getenv("BENCH_PAIRS"), ",")) do
    pairs_[#pairs_ + 1] = split(p, ":")
  end
  n = 0
  salt = os.getenv("BENCH_SALT") or ""
end

local function post(token, payload)
  local headers = { ["Content-Type"] = "application/json" }
  if token then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", path, headers, payload)
end

function request()
  n = n + 1
  local token = tokens[1 + n % math.max(#tokens, 1)]
  if kind == "queue_update" then
    return post(token, string.format('{"queue_id": %s, "name": "Renamed %s t%d n%d"}',
                                     ids[1 + n % #ids], salt, tid, n))
  elseif kind == "category_update" then
    return post(token, string.format('{"id": %s, "name": "Renamed %s t%d n%d"}',
                                     ids[1 + n % #ids], salt, tid, n))
  elseif kind == "queue_create" then
    return post(token, string.format('{"name": "New %s t%d n%d"}', salt, tid, n))
  elseif kind == "queue_move" then
    local p = pairs_[1 + n % #pairs_]
    local from, to = p[2], p[3]
    if math.floor(n / #pairs_) % 2 == 1 then from, to = to, from end
    return post(p[1], string.format('{"from_queue_id": %s, "to_queue_id": %s}', from, to))
  end
  return post(token, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout))
end
