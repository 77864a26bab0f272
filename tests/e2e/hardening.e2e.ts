/**
 * Issue #14 in the browser: the workbench, console and setup pages run under a strict CSP with no
 * violation and cannot be framed, while the widget stays loadable on a shop's page; and one
 * message the workbench cannot show never blanks it (error boundaries).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ShopId } from '@xiaoer/core';
import { ARTIFACTS, launchChromium, logIn, Pages } from '../support/browser';
import { startTestServer, WidgetBuyers, type TestServer } from '../support/server';

const DEMO = 'shop-demo' as ShopId;

describe('e2e: security headers and error boundaries (issue #14)', () => {
  let t: TestServer;
  let browser: Browser;
  const pages = new Pages(() => browser);
  const buyers = new WidgetBuyers(() => t.server);
  before(async () => {
    t = await startTestServer();
    browser = await launchChromium();
  });
  after(async () => {
    await pages.close();
    await browser?.close();
    await t?.close();
  });

  /** Every CSP violation the page reports (the DOM event and Chromium's console line). */
  async function watchCsp(page: Page): Promise<string[]> {
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.exposeFunction('reportCspViolation', (v: string) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { reportCspViolation: (v: string) => void }).reportCspViolation(
          `${e.violatedDirective} ${e.blockedURI}`,
        );
      });
    });
    return violations;
  }

  it('issue #14 the workbench, console and setup pages load under a strict CSP with no violation', async () => {
    for (const path of ['/workbench/', '/admin/', '/setup']) {
      const res = await fetch(`${t.url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/, `${path}: ${csp}`);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
    }
    // The widget's script and the demo shop page are a shop site's, not ours to lock.
    for (const path of ['/widget.js', '/demo']) {
      const res = await fetch(`${t.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-security-policy'), null, path);
      assert.equal(res.headers.get('x-frame-options'), null, path);
      assert.equal(res.headers.get('cross-origin-resource-policy'), null, path);
    }

    const agent = await pages.open();
    const agentViolations = await watchCsp(agent);
    await buyers.says('csp-buyer', '你好，在吗？');
    await logIn(agent, t.url, '/workbench/', 'agent1@demo.xiaoer.dev');
    await agent.getByTestId('conversation-item').first().click();
    await agent.getByTestId('composer').fill('您好，在的');
    await agent.getByTestId('send-button').click();
    await agent.locator('[data-testid="message-bubble"]', { hasText: '您好，在的' }).first().waitFor();

    const owner = await pages.open();
    const ownerViolations = await watchCsp(owner);
    await logIn(owner, t.url, '/admin/', 'owner@demo.xiaoer.dev');
    await owner.getByTestId('account-menu').waitFor();

    const setup = await pages.open();
    const setupViolations = await watchCsp(setup);
    await setup.goto(`${t.url}/setup`);
    await setup.getByTestId('setup-token').waitFor();

    // The widget on the demo shop page still works.
    const buyer = await pages.open({ width: 1280, height: 800 });
    await buyer.goto(`${t.url}/demo?buyer=anonymous`);
    await buyer.getByTestId('xiaoer-launcher').click();
    await buyer.getByTestId('xiaoer-input').waitFor();

    assert.deepEqual(agentViolations, [], 'workbench');
    assert.deepEqual(ownerViolations, [], 'console');
    assert.deepEqual(setupViolations, [], 'setup');
    assert.deepEqual(pages.errors, []);
  });

  it('issue #14 another site cannot frame the workbench', async () => {
    const page = await pages.open();
    // A page of another origin (the demo page is served with no frame rules of its own).
    await page.goto(`http://localhost:${new URL(t.url).port}/demo?buyer=anonymous`);
    await page.evaluate(
      (src) =>
        new Promise<void>((resolve) => {
          const frame = document.createElement('iframe');
          frame.name = 'framed';
          frame.src = src;
          // A refused frame still ends with a load (of the browser's error page).
          frame.onload = () => resolve();
          document.body.appendChild(frame);
        }),
      `${t.url}/workbench/`,
    );
    // The frame as its element holds it (a refused frame is swapped for an error page, and a
    // look-up by name can run between the swap and the new frame's naming).
    const framed = await (await page.$('iframe[name="framed"]'))?.contentFrame();
    assert.ok(framed);
    assert.equal(await framed.locator('#root').count(), 0, `not rendered in a frame (${framed.url()})`);
  });

  it('issue #14 a message the workbench cannot show is a placeholder; the workbench stays up', async () => {
    const c = await buyers.says('bad-message-buyer', '第一条正常消息');
    const held = (await t.storage.conversations.findConversation(DEMO, c.id))!;
    assert.ok(held.agentId);
    const email = (await t.storage.agents.findAgent(DEMO, held.agentId))!.email;
    // A message no client could send (the edge refuses it), written straight into storage: its
    // text is not text at all.
    const k = t.storage.db.kysely;
    await k
      .insertInto('messages')
      .values({
        id: randomUUID(),
        shop_id: DEMO,
        conversation_id: c.id,
        seq: held.lastSeq + 1,
        client_id: randomUUID(),
        sender: 'buyer',
        sender_id: c.buyerId,
        kind: 'text',
        body: JSON.stringify({ text: { not: 'text' } }),
        created_at: Date.now(),
      })
      .execute();
    await k
      .updateTable('conversations')
      .set({ last_seq: held.lastSeq + 1 })
      .where('id', '=', c.id)
      .execute();
    await buyers.says('bad-message-buyer', '第三条正常消息');

    const agent = await pages.open();
    await logIn(agent, t.url, '/workbench/', email);
    await agent.getByTestId('conversation-item').filter({ hasText: '第三条正常消息' }).click();
    await agent.getByTestId('message-unrenderable').waitFor();
    await agent.locator('[data-testid="message-bubble"]', { hasText: '第一条正常消息' }).waitFor();
    await agent.locator('[data-testid="message-bubble"]', { hasText: '第三条正常消息' }).waitFor();
    assert.ok(await agent.getByTestId('conversation-item').count(), 'the list is still there');
    assert.equal(await agent.getByTestId('page-crashed').count(), 0);
    await agent.screenshot({ path: `${ARTIFACTS}unrenderable-message-workbench.png` });
  });
});
