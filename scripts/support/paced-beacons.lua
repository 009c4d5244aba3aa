-- wrk script: the requests of beacons.lua, at a pace rather than as fast as the edge answers.
--
--   wrk -s scripts/support/paced-beacons.lua <edge> -- <route> <site prefix> <sites> <paths> <pace ms>
--
-- Each connection waits <pace ms> after each answer before its next request, so that the edge
-- is timed at a load it keeps up with: latency without the queue that saturation builds. A
-- script of its own because wrk asks every request for a delay once a script defines one.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "beacons.lua")

local pace = 0
local init_beacons = init

function init(args)
  pace = tonumber(args[5] or "0")
  init_beacons(args)
end

function delay()
  return pace
end
