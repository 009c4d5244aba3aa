-- wrk script for the edge benchmarks: page-view beacons, or the same requests to another route.
--
--   wrk -s scripts/support/beacons.lua <edge> -- <route> <site prefix> <sites> <paths>
--
-- Each request is a page view of site `<prefix><n mod sites>`, path `/page-<n mod paths>`,
-- from a user agent of its own (a new visitor each time, so the sites' visitor sketches grow as
-- on busy sites), POSTed to `<route>`: `/e` to count it, `/yardstick` to time the same request
-- against a route that only answers 202. `<route>` `GET` reads the URL wrk was given instead
-- (summary pages), with no body. When done, prints `name=value` lines: requests, seconds,
-- errors (sockets and statuses other than 2xx), and latency p50, p95 and p99 in milliseconds.

local route, prefix, sites, paths
local thread_count = 0
local counter = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  route = args[1] or "/e"
  prefix = args[2] or "load"
  sites = tonumber(args[3] or "1")
  paths = tonumber(args[4] or "100")
  if route == "GET" then
    return
  end
  wrk.method = "POST"
  wrk.path = route
  wrk.headers["Content-Type"] = "text/plain"
end

function request()
  if route == "GET" then
    return wrk.format()
  end
  counter = counter + 1
  -- Numbers interleave across threads, so every request is a distinct visitor.
  local n = counter * thread_count + thread_index
  local site = prefix .. (n % sites)
  local body = '{"site":"' .. site .. '","path":"/page-' .. (n % paths) .. '"}'
  wrk.headers["User-Agent"] =
    "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36 Load/" .. n
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  local failed = errors.connect + errors.read + errors.write + errors.timeout + errors.status
  io.write(string.format("requests=%d\n", summary.requests))
  io.write(string.format("seconds=%.3f\n", summary.duration / 1e6))
  io.write(string.format("failed=%d\n", failed))
  for _, p in ipairs({ 50, 95, 99 }) do
    io.write(string.format("p%d_ms=%.2f\n", p, latency:percentile(p) / 1000))
  end
end
