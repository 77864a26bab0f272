import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { launchChromium, Pages } from '../support/browser';
import { startTestServer, type TestServer } from '../support/server';

/** One GET with exactly these headers (no client-side decompression), the body as bytes. */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/**
 * Issue #18, serving: the built app's hashed assets go precompressed (brotli, else gzip, else as
 * they are) and are cached for a year; pages are revalidated each time; the widget script is sent
 * compressed too. The first load of the workbench and of the console is measured in Chromium.
 */
describe('e2e: serving the web app — compressed, cached, measured', () => {
  let t: TestServer;
  let browser: Browser;
  const pages = new Pages(() => browser);

  before(async () => {
    t = await startTestServer();
    browser = await launchChromium();
  });
  after(async () => {
    await pages.close();
    await browser?.close();
    await t?.close();
  });

  it('hashed assets: brotli or gzip as accepted, the same bytes, cached immutably; pages revalidated', async () => {
    const page = await get(`${t.url}/workbench/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const assets = [...page.body.toString('utf8').matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map(
      (m) => m[1]!,
    );
    assert.ok(assets.length > 0, 'the page loads hashed scripts');
    for (const path of assets) {
      const plain = await get(`${t.url}${path}`);
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
      if (plain.body.length < 1024) continue; // too small to be worth compressing
      const br = await get(`${t.url}${path}`, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(br.headers['content-encoding'], 'br', path);
      assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.ok(br.body.length < plain.body.length / 2, `${path}: ${br.body.length} of ${plain.body.length}`);
      assert.ok(brotliDecompressSync(br.body).equals(plain.body), `${path}: brotli gives the same bytes`);
      const gz = await get(`${t.url}${path}`, { 'accept-encoding': 'gzip' });
      assert.equal(gz.headers['content-encoding'], 'gzip', path);
      assert.ok(gunzipSync(gz.body).equals(plain.body), `${path}: gzip gives the same bytes`);
    }

    const widget = await get(`${t.url}/widget.js`);
    const widgetBr = await get(`${t.url}/widget.js`, { 'accept-encoding': 'br' });
    assert.equal(widgetBr.headers['content-encoding'], 'br');
    assert.match(String(widgetBr.headers.vary), /accept-encoding/i);
    assert.ok(brotliDecompressSync(widgetBr.body).equals(widget.body));
    assert.equal(widget.headers['content-encoding'], undefined);
  });

  it('first load of the workbench and the console in Chromium: bytes over the wire', async () => {
    const sizes: Record<string, { transferred: number; decoded: number }> = {};
    for (const path of ['/workbench/', '/admin/']) {
      const page = await pages.open({ width: 1440, height: 900 });
      await page.goto(`${t.url}${path}`);
      await page.getByTestId('login-email').waitFor();
      const [transferred, decoded] = await page.evaluate(() => {
        const entries = [
          ...performance.getEntriesByType('navigation'),
          ...performance.getEntriesByType('resource'),
        ] as PerformanceResourceTiming[];
        const scripts = entries.filter((e) => e.name.includes('/assets/') || e.entryType === 'navigation');
        return [
          scripts.reduce((n, e) => n + e.transferSize, 0),
          scripts.reduce((n, e) => n + e.decodedBodySize, 0),
        ];
      });
      sizes[path] = { transferred, decoded };
      // Compressed on the wire: well under what the browser unpacks.
      assert.ok(transferred > 0 && transferred < decoded / 2, `${path}: ${transferred} of ${decoded} bytes`);
    }
    console.log(`# first load (page + scripts): ${JSON.stringify(sizes)}`);
  });
});
