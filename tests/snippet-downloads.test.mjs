// Downloads: a click on a link to a file is an event; which extensions count is configurable.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const LINKS = `<a id="pdf" href="/files/report-2026.pdf">Report</a>
  <a id="epub" href="/files/guide.epub">Guide</a>
  <a id="export" href="/export" download>Export</a>`;

describe('downloads', () => {
  const env = useSnippet();

  async function clickAll(attrs) {
    const { page: tab } = await env.open({ 'index.html': page(LINKS, { attrs }) });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    for (const id of ['pdf', 'epub', 'export']) await tab.click(`#${id}`, { modifiers: ['Alt'] });
    await env.settle(tab);
    return ofType(env.recorder.beacons, 'event').map((e) => e.event);
  }

  test('reports downloads of the default file types and of links with a download attribute', async () => {
    assert.deepEqual(await clickAll(''), [
      { kind: 'download', file: '/files/report-2026.pdf' },
      { kind: 'download', file: '/files/guide.epub' },
      { kind: 'download', file: '/export' },
    ]);
  });

  test('reports only the file types that data-downloads names', async () => {
    assert.deepEqual(await clickAll('data-downloads="epub"'), [
      { kind: 'download', file: '/files/guide.epub' },
      { kind: 'download', file: '/export' },
    ]);
  });
});
