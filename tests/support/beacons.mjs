// What the snippet sends, seen on the wire: a recording proxy in front of the edge, and small
// pages that load the snippet through it.
//
// The proxy forwards every request to the edge and keeps the body of each `POST /e`, so a test
// sees exactly the beacons the edge received (each id once, see `repeats`), including those sent
// while a page unloads (which the browser's own request events can miss). `down = true` makes beacon requests fail, as
// they do when the edge is briefly unreachable: the proxy answers with bytes that are no HTTP
// response. (Closing the connection instead let a test race with Chromium, which sends a
// request again by itself when a reused connection is closed under it: a retry that came after
// `down = false` delivered the beacon the test had seen fail.)
import http from 'node:http';

/** Starts the proxy for `edgeUrl`. */
export async function startRecorder(edgeUrl) {
  const recorder = {
    /** Every beacon body received, parsed (or `{ unparsable: text }`), oldest first. */
    beacons: [],
    /** The raw text of every beacon body. */
    bodies: [],
    /** The edge's answer to each beacon, in the same order (0 when it was dropped). */
    statuses: [],
    down: false,
    /** Beacon requests failed while `down`. */
    refused: 0,
    /**
     * Bodies of beacons whose id was seen before: the snippet sends a beacon again when its
     * request failed in the browser, which a page left right after it can make happen even
     * though the request got through (the edge counts an id once). Kept apart, so that tests
     * see each beacon once, as the figures do.
     */
    repeats: [],
    clear() {
      recorder.beacons.length = 0;
      recorder.bodies.length = 0;
      recorder.statuses.length = 0;
      recorder.repeats.length = 0;
      recorder.refused = 0;
    },
    /** Resolves with the beacons once `predicate(beacons)` holds; polls, never sleeps blindly. */
    async waitFor(predicate, what = 'the expected beacons', timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(recorder.beacons)) {
        if (Date.now() > deadline) {
          throw new Error(`no ${what} within ${timeoutMs / 1000} s; received: ${JSON.stringify(recorder.beacons, null, 1)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return recorder.beacons;
    },
  };
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://x');
    let index = -1;
    if (req.method === 'POST' && url.pathname === '/e') {
      if (recorder.down) {
        recorder.refused++;
        return req.socket.end('edge down\n');
      }
      const text = body.toString('utf8');
      let beacon;
      try {
        beacon = JSON.parse(text);
      } catch {
        beacon = { unparsable: text };
      }
      if (beacon.id && recorder.beacons.some((seen) => seen.id === beacon.id)) {
        recorder.repeats.push(text);
      } else {
        recorder.bodies.push(text);
        index = recorder.statuses.push(0) - 1;
        recorder.beacons.push(beacon);
      }
    }
    try {
      const headers = { ...req.headers };
      delete headers.host;
      delete headers.connection;
      const answer = await fetch(`${edgeUrl}${req.url}`, {
        method: req.method,
        headers,
        body: ['GET', 'HEAD'].includes(req.method) ? undefined : body,
      });
      const out = {};
      answer.headers.forEach((value, name) => {
        if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(name)) out[name] = value;
      });
      if (index >= 0) recorder.statuses[index] = answer.status;
      res.writeHead(answer.status, out);
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      // The edge went away, possibly halfway through its answer (the edge stopping after a
      // test): the status already written stands.
      if (res.headersSent) return res.destroy();
      if (index >= 0) recorder.statuses[index] = 502;
      res.writeHead(502).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder.url = `http://127.0.0.1:${server.address().port}`;
  recorder.close = () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return recorder;
}

/**
 * A page that loads the snippet: `body` inside <body>, `head` before the script tag (a CMP, a
 * dataLayer, a hostile library), `attrs` on the script tag (data-consent, data-feedback, ...).
 */
export function page(body, { head = '', attrs = '', title = 'A page' } = {}) {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  ${head}
  <script defer src="{{EDGE}}/t.js" data-site="{{SITE}}" ${attrs}></script>
</head>
<body>${body}</body>
</html>`;
}

/** The beacons of one type (`view` when the type is absent). */
export const ofType = (beacons, type) => beacons.filter((b) => (b.type ?? 'view') === type);
