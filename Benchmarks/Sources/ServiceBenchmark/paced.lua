-- Holds wrk (Debian's 4.1, which otherwise sends requests as fast as the server answers) to a
-- fixed request rate, and prints the figures as one JSON line for ServiceBenchmark.
--
--   wrk -t THREADS -c CONNECTIONS -d 30s -s paced.lua URL -- RATE THREADS
--
-- wrk calls delay() before every request of a connection (the first one too) and waits that
-- many milliseconds before sending it. Each thread keeps its own schedule of one request every
-- THREADS/RATE seconds and hands a connection that asks the next free slot, so the threads
-- together send RATE requests per second as long as enough connections are free. A thread that
-- falls more than a second behind (the server too slow) starts its schedule again from now
-- rather than bursting to catch up. Latency is wrk's: from writing a request to its last byte.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } starling_timespec;
  int clock_gettime(int clock_id, starling_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("starling_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local interval_ms
local next_slot

function init(args)
  local rate = tonumber(args[1])
  local threads = tonumber(args[2])
  interval_ms = 1000 * threads / rate
end

function delay()
  local now = now_ms()
  if next_slot == nil or next_slot < now - 1000 then next_slot = now end
  next_slot = next_slot + interval_ms
  local wait = next_slot - now
  if wait < 0 then return 0 end
  return math.floor(wait + 0.5)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "p999_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
