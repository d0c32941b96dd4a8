-- wrk script of scripts/bench.py. The bench puts the run's own globals before this text:
--   THREADS    wrk's thread count (-t)
--   METHOD     "GET" or "POST"
--   HEADERS    a table of request headers (the session and CSRF cookies, htmx's header)
--   TARGETS    a list of {path, body, version}: requests go round it, each thread taking every
--              THREADS-th one; body (POST and PUT only) is a form without its version, which is
--              `version` on the first round, one more on each round after, so that each save
--              starts from the version the last save of that day left
--   IF_MATCH   true for the API's PUT: the version goes in the If-Match header, not the body,
--              and the body's "VERSION" becomes that version, so that each PUT changes the day
--              (the API answers a PUT that changes nothing without a new version, and a round
--              number would repeat one an earlier run left there)
--   STATUS     the status of a good response (200, or 302 for a redirect)
--   EXPECT     text each good response holds; any other response counts as bad
--   SIZE       for a load asked for with gzip (HEADERS hold Accept-Encoding), the size of a
--              good response unpacked, which the bench read and checked itself: this script
--              cannot unpack gzip, so a compressed response is good if it has the status, the
--              gzip header and, in its gzip trailer, that size (give or take `near`'s slack)
-- At the end it prints one line, "RESULT {json}", that the bench reads.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  sent = 0
  good = 0
  bad = 0
  first_bad = ""
end

-- wrk calls request() once on thread 0 before the run, to check it, and never sends that one
-- (wrk.c, script_verify_request). It must not take a target, or that day's next save would be
-- sent with a version one ahead of the day's. Were it ever sent, its empty form would be a bad
-- response, not a silent one.
local checked = false

function request()
  if id == 0 and not checked then
    checked = true
    return wrk.format(METHOD, TARGETS[1][1], HEADERS, nil)
  end
  local n = sent * THREADS + id
  sent = sent + 1
  local target = TARGETS[(n % #TARGETS) + 1]
  local body = nil
  local headers = HEADERS
  if target[2] ~= nil then
    local round = math.floor(n / #TARGETS)
    local version = target[3] + round
    if IF_MATCH then
      headers = {}
      for name, value in pairs(HEADERS) do headers[name] = value end
      headers["If-Match"] = '"' .. version .. '"'
      body = string.gsub(target[2], "VERSION", tostring(version))
    else
      body = target[2] .. "&version=" .. version
    end
  end
  return wrk.format(METHOD, target[1], headers, body)
end

-- A page's size moves by a few bytes between requests (a version number, a time of day).
local function near(size)
  return math.abs(size - SIZE) <= math.max(64, SIZE / 200)
end

local function header(headers, name)
  for key, value in pairs(headers) do
    if string.lower(key) == name then return value end
  end
  return nil
end

-- The unpacked size a gzip member's trailer gives: its last 4 bytes, little-endian (RFC 1952).
local function gzip_size(body)
  local a, b, c, d = string.byte(body, -4, -1)
  return a + b * 256 + c * 65536 + d * 16777216
end

local function good_body(headers, body)
  if header(headers, "content-encoding") == "gzip" then
    return SIZE > 0 and #body > 18 and string.byte(body, 1) == 31 and string.byte(body, 2) == 139
      and near(gzip_size(body))
  end
  return string.find(body, EXPECT, 1, true) ~= nil
end

function response(status, headers, body)
  if status == STATUS and good_body(headers, body) then
    good = good + 1
  else
    bad = bad + 1
    if first_bad == "" then
      first_bad = tostring(status)
    end
  end
end

function done(summary, latency, requests)
  local good_total, bad_total, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    good_total = good_total + thread:get("good")
    bad_total = bad_total + thread:get("bad")
    if first == "" then first = thread:get("first_bad") end
  end
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "good": %d, ' ..
    '"bad": %d, "first_bad": "%s", "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    good_total, bad_total, first,
    errors.connect + errors.read + errors.write + errors.timeout))
end
