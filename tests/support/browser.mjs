// Chromium for the end-to-end tests: the system build, driven by playwright-core.
import { chromium } from 'playwright-core';

const EXECUTABLE = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  // No traffic of Chromium's own: the tests run offline and only the page's requests matter.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

// Two people on ordinary desktop Chrome. All test traffic comes from 127.0.0.1 and the edge
// tells visitors apart by IP + user agent, so different people need different user agents.
export const UA_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
export const UA_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** The screens every page is checked and photographed at: `[name, viewport]`. */
export const SCREENS = [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]];

/** A browser whose pages look human: `navigator.webdriver` is false. */
export function humanBrowser() {
  return chromium.launch({
    executablePath: EXECUTABLE,
    args: [...ARGS, '--disable-blink-features=AutomationControlled'],
  });
}

/**
 * A browser whose every request carries `userAgent`, beacons sent while a page unloads
 * included: a context's user-agent override does not reach those, and they would go out as
 * `HeadlessChrome`, which the edge drops as a bot. One person per browser.
 */
export function humanBrowserAs(userAgent) {
  return chromium.launch({
    executablePath: EXECUTABLE,
    args: [...ARGS, '--disable-blink-features=AutomationControlled', `--user-agent=${userAgent}`],
  });
}

/** A browser that admits being automated: `navigator.webdriver` is true, as for most bots. */
export function botBrowser() {
  return chromium.launch({ executablePath: EXECUTABLE, args: ARGS });
}

/** A fresh profile (no shared cache or storage) for one person using `userAgent`. */
export function humanContext(browser, userAgent) {
  return browser.newContext({ userAgent, viewport: { width: 1280, height: 800 }, locale: 'en-US' });
}

/**
 * Runs `action` (a navigation or a click) and resolves once the page has sent the edge a beacon
 * for `path`, the way a person stays on a page at least long enough for the snippet to report
 * it. Matching the path skips the beacon the previous page may send as it is left.
 */
export async function expectBeacon(page, edgeUrl, path, action) {
  const beacon = page.waitForRequest((req) => req.method() === 'POST' && req.url() === `${edgeUrl}/e`
    && beaconPaths(req.postData()).includes(path));
  await action();
  return beacon;
}

/** The `path` of each event in a beacon body (one JSON object, or an array of them). */
function beaconPaths(body) {
  try {
    return [JSON.parse(body)].flat().map((event) => event?.path);
  } catch {
    return [];
  }
}
