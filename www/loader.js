// tacit's loader, served as /t.js and pasted by site owners as
//   <script defer src="https://<edge>/t.js" data-site="<site id>"></script>
// Optional attributes: data-consent="opt-in" (count nothing but a consent tally until the
// visitor grants measurement), data-downloads="pdf,zip" (the extensions of download links),
// data-feedback="<question>" (shows the one-tap feedback widget), data-search="q" (the query
// parameter of the site's search page: its value is sent as the search term, unless it looks
// like personal data; the site's `search_param` setting must name it too for the edge to keep it).
//
// The loader is the snippet's senses and hands; the WebAssembly (crates/snippet) is its
// judgement. The loader reads the browser, listens to the page and the consent sources, and
// sends the beacon bodies the WebAssembly returns (see crates/snippet/src/lib.rs for the split).
// It never throws into the host page, and uses nothing a host page commonly overrides on the way
// to a beacon: no Array.prototype.push, no JSON, and fetch only when it is the browser's own.
//
// `www/build.mjs` minifies this file and defines the three constants.
/* global __TACIT_GLUE_FILE__, __TACIT_WASM_FILE__, __TACIT_WASM_INTEGRITY__ */

(() => {
  const W = window;
  const D = document;
  const N = navigator;
  const P = performance;
  const now = () => P.now();
  const t0 = now();
  // The page view starts now, as the page is: start-up itself waits (see the end of this file).
  const visible = D.visibilityState == 'visible';
  const focused = D.hasFocus();
  const script = D.currentScript;
  const attr = (name) => script && script.getAttribute(`data-${name}`);
  const site = attr('site');
  if (!site) return;
  const origin = new URL(script.src).origin;
  const endpoint = `${origin}/e`;
  // The browser's own fetch, taken before the page can replace it; a replaced one (a wrapper, a
  // polyfill) might alter or drop a beacon, so sendBeacon is used instead.
  const F = W.fetch;
  const nativeFetch = typeof F == 'function' && /\[native code\]/.test(F) && F;
  const safe = (f) => (...a) => { try { return f(...a); } catch (e) { /* never into the page */ } };

  // The WebAssembly's module (its wasm-bindgen glue, once the WebAssembly is instantiated), and
  // the `Tracker` its `start` made: each method answers with the beacon lines it wrote, or
  // undefined.
  let snippet;
  let tracker;

  const send = (body, last) => {
    try {
      if (nativeFetch) {
        nativeFetch(endpoint, { method: 'POST', body, keepalive: true, mode: 'no-cors', credentials: 'omit' })
          .catch(() => last || (tracker && tracker.failed(body)));
      } else if (!N.sendBeacon(endpoint, body) && !last && tracker) tracker.failed(body);
    } catch (e) { /* never into the page */ }
  };
  // With journey consent, the site's funnels, once per visit, when a `?` line asks for them:
  // the tab follows its visit through them and sends a beacon at each step reached.
  let fetchingFunnels;
  const funnels = () => {
    if (fetchingFunnels || !nativeFetch) return;
    fetchingFunnels = 1;
    nativeFetch(`${origin}/f/${site}`, { credentials: 'omit' }).then((r) => r.ok && r.text())
      .then(safe((text) => text !== false && out(tracker.funnels(text))), () => {})
      .then(() => { fetchingFunnels = 0; });
  };
  // Lines from the WebAssembly: beacons; a `~` line is a retry, sent once more at most.
  const out = (lines) => {
    if (lines) {
      for (const line of lines.split('\n')) line[0] == '~' ? send(line.slice(1), 1) : line == '?' ? funnels() : send(line);
    }
  };

  // The `tacit(...)` API: calls wait in `queue` until the WebAssembly runs. A page may have
  // queued calls in `tacit.q` with its own stub before this script ran.
  const queue = (W.tacit && W.tacit.q) || [];
  let call;
  W.tacit = function () { call ? call(arguments) : (queue[queue.length] = arguments); };
  // Shows or hides the feedback widget as consent changes (see its section below).
  let feedbackWidget = () => {};
  const consented = (lines) => {
    out(lines);
    feedbackWidget();
  };
  // The page's objects go to the WebAssembly as they are: it reads them field by field, and
  // warns in the console of a malformed call.
  const api = safe((a) => {
    const [kind, x, o] = a;
    if (kind == 'consent') consented(tracker.consent(x));
    else if (kind == 'goal' || kind == 'event') out(tracker.goal(x, o, kind == 'event'));
  });

  // The URL's campaign tags and its site-search term (the parameter data-search names), one
  // per line for the WebAssembly (`params` in crates/snippet/src/page.rs), which cleans the term.
  const params = (url) => {
    const values = ['', '', '', '', '', ''];
    const search = attr('search');
    for (const [k, v] of new URL(url).searchParams) {
      const i = k === search ? 5 : ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'].indexOf(k.toLowerCase());
      // Source and medium are compared in lower case, as the edge keeps them.
      // The search term is lower-cased with its whitespace collapsed here: the browser has the
      // Unicode tables the WebAssembly would otherwise carry.
      const value = i == 5 ? v.toLowerCase().replace(/\s+/g, ' ') : i < 2 ? v.toLowerCase() : v;
      if (i >= 0 && !values[i]) values[i] = value.replace(/\n/g, ' ').trim().slice(0, 200);
    }
    return values.join('\n');
  };

  // Without WebAssembly, a bare page view still counts the visit: the path only, marked bare
  // with the cause `error` shows, so that the summary can say why the rest is missing and what
  // to do. A TypeError: the files did not load (the page broke fetch, the request failed);
  // anything else: the browser refused the WebAssembly (a CompileError under a
  // Content-Security-Policy without 'wasm-unsafe-eval', a ReferenceError where there is no
  // WebAssembly at all). In opt-in mode, the consent tally instead.
  let started;
  const bare = safe((error) => {
    if (started || !/^[a-z0-9-]{1,64}$/.test(site)) return;
    started = 1;
    const head = `{"site":"${site}","type":`;
    const cause = error instanceof TypeError ? 'not_loaded' : 'wasm_refused';
    send(N.webdriver ? `${head}"dropped"}`
      : attr('consent') == 'opt-in' ? `${head}"consent"}`
        : `${head}"view","path":"${location.pathname.replace(/["\\]/g, '')}","bare":"${cause}"}`);
  });

  let leave;
  const run = safe(() => {
    if (started) return;
    const t1 = now();
    const L = (target, type, f) => target.addEventListener(type, safe(f), { capture: true, passive: true });
    const on = (kind, a, b) => out(tracker.on(kind, now(), a || 0, b || 0));
    const seed = crypto.getRandomValues(new Uint32Array(2));
    // The tracker, or the one beacon to send instead (a bot's tally) when the snippet stops here.
    const t = snippet.start(site, attr('consent') == 'opt-in', attr('downloads') || '', location.href,
      params(location.href), D.referrer, N.userAgent, !!N.webdriver, N.language || '', innerWidth,
      seed[0] * 2 ** 21 + (seed[1] >>> 11), t0, visible, focused);
    started = 1;
    if (typeof t == 'string') return out(t);
    tracker = t;

    // Consent sources, weakest first; the WebAssembly ranks them.
    const dnt = N.doNotTrack || W.doNotTrack;
    if (dnt == '1' || dnt == 'yes') tracker.signal(4);
    if (N.globalPrivacyControl === true) tracker.signal(3);
    // Every dataLayer entry: the WebAssembly picks out Consent Mode's commands.
    const consentMode = (e) => consented(tracker.consent_mode(e));
    const dataLayer = W.dataLayer;
    if (dataLayer && dataLayer.length >= 0) {
      for (let i = 0; i < dataLayer.length; i++) consentMode(dataLayer[i]);
      const push = dataLayer.push;
      dataLayer.push = function () {
        for (let i = 0; i < arguments.length; i++) safe(consentMode)(arguments[i]);
        return push.apply(this, arguments);
      };
    }
    for (let i = 0; i < queue.length; i++) if (queue[i][0] == 'consent') api(queue[i]);

    const go = () => {
      if (call) return;
      call = api;
      consented(tracker.go());
      for (let i = 0; i < queue.length; i++) if (queue[i][0] != 'consent') api(queue[i]);
    };
    // A TCF CMP answers asynchronously: the page view waits for its first answer, 1 s at most.
    const tcf = W.__tcfapi;
    if (typeof tcf == 'function') {
      tcf('addEventListener', 2, safe((d, ok) => {
        consented(tracker.tcf(d, !!ok));
        go();
      }));
      setTimeout(safe(go), 1000);
    } else go();

    // What the visitor does.
    let moved = 0;
    L(D, 'pointermove', () => { if (now() - moved > 1000) { moved = now(); on(0); } });
    for (const type of ['pointerdown', 'wheel', 'touchstart']) L(D, type, () => on(0));
    L(D, 'keydown', (e) => e.repeat || on(1));
    L(W, 'focus', (e) => e.target == W && on(3, 1));
    L(W, 'blur', (e) => e.target == W && on(3, 0));
    const scroll = () => on(4, scrollY + innerHeight, D.documentElement.scrollHeight);
    L(W, 'scroll', scroll);
    scroll();

    // Clicks: rage and dead clicks, links. A click on something that looks clickable (and is no
    // link or field, which always react) waits a second for the DOM to change.
    let observer;
    let watching = 0;
    L(D, 'click', (e) => {
      const el = e.target.closest ? e.target : e.target.parentElement;
      if (!el) return;
      const link = el.closest('a[href]');
      const clickable = !link && !el.closest('input,select,textarea,label,[contenteditable]')
        && (el.closest('button,[role=button],[onclick],summary') || getComputedStyle(el).cursor == 'pointer');
      on(clickable ? 6 : 5, e.clientX, e.clientY);
      if (clickable) {
        observer = observer || new MutationObserver(() => on(7));
        if (!watching++) observer.observe(D, { subtree: true, childList: true, attributes: true, characterData: true });
        setTimeout(safe(() => {
          on(8);
          if (!--watching) observer.disconnect();
        }), 1050);
      }
      if (link) out(tracker.link(`${link.href}`, link.hasAttribute('download') ? 1 : 0, now()));
    });
    L(D, 'submit', (e) => {
      const form = e.target;
      const action = new URL(form.getAttribute('action') || '', location.href).href;
      out(tracker.submit(form.getAttribute('id') || form.getAttribute('name') || '', action, now()));
    });

    // Route changes of single-page apps; going back in the session history.
    const route = safe(() => {
      out(tracker.nav(location.href, params(location.href), now(), Date.now(), false));
    });
    for (const name of ['pushState', 'replaceState']) {
      const original = history[name];
      history[name] = function () {
        const result = original.apply(this, arguments);
        route();
        return result;
      };
    }
    L(W, 'popstate', route);
    // The Navigation API (Baseline 2026: Chrome 102, Firefox 147, Safari 26.2) also sees the page loads that the page's script starts
    // (`location.href = ...` in a button's handler): one to the same site continues the visit,
    // as a link does. A reload does not; same-document changes are the routes above.
    if (W.navigation) {
      L(navigation, 'navigate', (e) => (e.navigationType == 'traverse'
        || (!e.destination.sameDocument && e.navigationType != 'reload'))
        && out(tracker.link(e.destination.url, 2, now())));
    }

    // Core Web Vitals, where the browser reports them.
    const observers = [];
    const vital = (type, f, options) => {
      try {
        const o = new PerformanceObserver((list) => list.getEntries().forEach(safe(f)));
        o.observe({ type, buffered: true, ...options });
        observers[observers.length] = [o, f];
      } catch (e) { /* not supported here */ }
    };
    vital('largest-contentful-paint', (e) => on(10, e.startTime));
    vital('layout-shift', (e) => e.hadRecentInput || on(11, e.value, e.startTime));
    vital('event', (e) => on(12, e.duration, e.interactionId), { durationThreshold: 40 });

    // Hidden, which on a phone may be the last a page sees, or left: the leave beacon, with
    // the vitals the observers still hold (an update follows if the visitor comes back and does
    // more). Left: the tracker keeps, with journey consent, what the tab's next page needs.
    const vitals = () => { for (const [o, f] of observers) o.takeRecords().forEach(safe(f)); };
    L(D, 'visibilitychange', () => {
      const shown = D.visibilityState == 'visible';
      shown || vitals();
      on(2, shown, Date.now());
    });
    leave = () => {
      vitals();
      on(9, Date.now());
      tracker.stash();
    };
    L(W, 'pagehide', leave);
    L(W, 'pageshow', (e) => e.persisted && out(tracker.nav(location.href, params(location.href), now(), Date.now(), true)));

    // One-tap feedback, in a shadow root so that the page's CSS and the widget's leave each other
    // alone. Shown only while the visitor is counted: an opted-out visitor's answer would not be
    // sent (DESIGN: the consent tally is all they send), so asking would mislead them.
    const question = attr('feedback');
    if (question != null) {
      const host = D.createElement('tacit-feedback');
      const root = host.attachShadow({ mode: 'open' });
      root.innerHTML = `<style>:host{all:initial;position:fixed;right:16px;bottom:16px;z-index:2147483647;font:14px/1.4 system-ui,sans-serif}div{display:flex;gap:6px;align-items:center;padding:8px 12px;border-radius:8px;background:#fff;color:#222;box-shadow:0 2px 10px #0003}button{font:20px/1 system-ui;padding:4px;border:2px solid transparent;border-radius:6px;background:none;cursor:pointer}button:focus-visible{border-color:#1a5fd0;outline:none}</style><div role="group" aria-labelledby="q"><span id="q"></span><button value="1" aria-label="No">🙁</button><button value="2" aria-label="Somewhat">😐</button><button value="3" aria-label="Yes">🙂</button></div><p role="status" style="margin:0"></p>`;
      const [, group, status] = root.children;
      group.firstChild.textContent = question || 'Was this page helpful?';
      root.addEventListener('click', safe((e) => {
        const button = e.target.closest('button');
        if (!button) return;
        out(tracker.feedback(+button.value));
        group.remove();
        status.textContent = 'Thank you for your feedback.';
      }));
      feedbackWidget = () => {
        if (!tracker.measuring()) host.remove();
        else if (!host.isConnected) D.body.appendChild(host);
      };
      feedbackWidget();
    }
    // tacit's own start-up cost, visible in the browser's performance timeline.
    P.measure('tacit', { start: t1, end: now() });
  });

  // Start-up (reading the page, the first beacon, every listener) waits until the page has
  // loaded and the browser is idle, 1 s at most, so that it never competes with the page's own
  // loading; the WebAssembly downloads and compiles meanwhile, off the main thread. A visitor who
  // leaves before then is still counted: leaving starts it at once, and sends the leave beacon.
  const idle = () => (W.requestIdleCallback ? requestIdleCallback(run, { timeout: 1000 }) : setTimeout(run));
  const ready = (glue) => {
    snippet = glue;
    D.readyState == 'complete' ? idle() : W.addEventListener('load', idle, { once: true });
  };
  W.addEventListener('pagehide', safe(() => {
    if (!started && snippet) {
      run();
      if (leave) leave();
    }
  }), { capture: true });
  // The WebAssembly and its glue (an ES module) download at once, side by side, and the
  // WebAssembly compiles as it downloads; the glue then instantiates it. A Content-Security-Policy
  // without 'wasm-unsafe-eval' refuses the compilation.
  try {
    const files = `${origin}/t/`;
    Promise.all([
      import(files + __TACIT_GLUE_FILE__),
      WebAssembly.compileStreaming(F(files + __TACIT_WASM_FILE__, { integrity: __TACIT_WASM_INTEGRITY__, credentials: 'omit' })),
    ]).then(([glue, module]) => {
      glue.initSync({ module });
      ready(glue);
    }).then(null, bare);
  } catch (e) {
    bare(e);
  }
  P.measure('tacit', { start: t0, end: now() });
})();
