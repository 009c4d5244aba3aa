// A steady stream of page views against a local edge, for the crash tests and
// scripts/loss-on-kill.mjs: `inFlight` requests at a time, each from a new visitor, until stopped.

/**
 * Starts sending page views of `site` to the edge at `edgeUrl`. `stop()` stops sending and
 * resolves, once every request in flight has been answered or has failed, to
 * `{ sent, acknowledged }`: requests made, and those answered 202.
 */
export function steadyLoad(edgeUrl, site, { inFlight = 8 } = {}) {
  let stopped = false;
  let sent = 0;
  let acknowledged = 0;
  const senders = Array.from({ length: inFlight }, async () => {
    while (!stopped) {
      const n = sent++;
      try {
        const res = await fetch(`${edgeUrl}/e`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain', 'User-Agent': `Mozilla/5.0 Chrome/131.0 Load/${n}` },
          body: JSON.stringify({ site, path: `/p${'abcdefghij'[n % 10]}` }),
        });
        await res.arrayBuffer();
        if (res.status === 202) acknowledged += 1;
      } catch {
        // The edge is gone: not acknowledged.
      }
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(senders);
      return { sent, acknowledged };
    },
  };
}
