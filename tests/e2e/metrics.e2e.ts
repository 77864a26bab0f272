import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { AgentId, ConversationId, DayMetrics, MetricsSettings, ShopId } from '@xiaoer/core';
import { ARTIFACTS, launchChromium, logIn as logInAt, Pages } from '../support/browser';
import { loginCookie, startTestServer, type TestServer } from '../support/server';
import { waitFor } from '../support/wait';

const SHOP = 'shop-demo' as ShopId;
const QUESTION = '你好，这件外套有 M 码吗？';
const ANSWER = '亲，M 码有货的，今天下单明天发';
const SECOND = '在吗？想问下能不能开发票';

/** "72.5%", "100%": as the dashboard writes a share. */
const pct = (rate: number) => `${Number((rate * 100).toFixed(1))}%`;

/**
 * Reply metrics in the browser (MET-1 … MET-7): a buyer writes and is answered within the minute;
 * the owner's dashboard shows the server's figures; a second buyer left waiting raises the
 * supervisor's alert in the workbench; the buyer rates the ended chat in the widget and the
 * satisfaction figure appears; a spot check scores the chat; the CSV downloads; the settings
 * refuse a bad edit on its field. Figures are read from the API, never hard-coded.
 */
describe('e2e: metrics — live dashboard, alert, rating in the widget, spot checks, CSV, settings', () => {
  let t: TestServer;
  let browser: Browser;
  const pages = new Pages(() => browser);
  const pageErrors = pages.errors;
  let cookie = '';
  let agent: Page;
  let buyer: Page;
  let owner: Page;
  let conversationId = '' as ConversationId;

  before(async () => {
    t = await startTestServer();
    // 小美 (agent-demo-1) alone online: every buyer lands on her.
    for (const id of ['agent-demo-2', 'agent-demo-3']) {
      await t.server.ctx.chat.setAgentStatus(SHOP, id as AgentId, 'offline');
    }
    cookie = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
    // The consultation window covers the whole day, so the test does not depend on the hour.
    const { settings } = await get<{ settings: MetricsSettings }>('/api/admin/metrics/settings');
    const put = await t.server.app.inject({
      method: 'PUT',
      url: '/api/admin/metrics/settings',
      headers: { cookie },
      payload: { ...settings, windowStart: '00:00', windowEnd: '23:59' },
    });
    assert.equal(put.statusCode, 200, put.body);
    browser = await launchChromium();
  });
  after(async () => {
    await pages.close();
    await browser?.close();
    await t?.close();
  });

  const newPage = (viewport?: { width: number; height: number }) => pages.open(viewport);
  const logIn = (page: Page, path: string, email: string) => logInAt(page, t.url, path, email);

  async function get<T>(url: string): Promise<T> {
    const res = await t.server.app.inject({ method: 'GET', url, headers: { cookie } });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json() as T;
  }

  /** Today's figures once `ready` holds (roll-ups follow the messages, a moment later). */
  async function dayWhen(ready: (d: DayMetrics) => boolean, what: string): Promise<DayMetrics> {
    return waitFor(
      what,
      async () => {
        const d = await get<DayMetrics>('/api/admin/metrics/day');
        return ready(d) && d;
      },
      { every: 100 },
    );
  }

  async function openDashboard(): Promise<void> {
    await owner.getByRole('tab', { name: '数据', exact: true }).click();
    await owner.getByRole('tab', { name: '看板', exact: true }).click();
    await owner.getByTestId('metrics-dashboard').waitFor();
  }

  async function refreshDashboard(): Promise<void> {
    await owner.getByTestId('metrics-dashboard').getByRole('button', { name: '刷新' }).click();
  }

  it('a buyer answered within the minute: the dashboard shows the figures the server counts', async () => {
    agent = await newPage();
    await logIn(agent, '/workbench/', 'agent1@demo.xiaoer.dev');
    await agent.getByTestId('agent-status').waitFor();

    buyer = await newPage({ width: 1280, height: 800 });
    await buyer.goto(`${t.url}/demo?buyer=anonymous`);
    await buyer.getByTestId('xiaoer-launcher').click();
    await buyer.getByTestId('xiaoer-input').fill(QUESTION);
    await buyer.getByTestId('xiaoer-send').click();

    await agent.getByTestId('conversation-item').first().click();
    await agent
      .locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: QUESTION })
      .waitFor();
    conversationId = (await agent
      .getByTestId('conversation-item')
      .first()
      .getAttribute('data-conversation-id')) as ConversationId;
    await agent.getByTestId('composer').fill(ANSWER);
    await agent.getByTestId('send-button').click();
    await buyer.locator('[data-testid="xiaoer-message"][data-sender="agent"]', { hasText: ANSWER }).waitFor();

    const day = await dayWhen((d) => d.shop.replied >= 1, 'the reply to be counted');
    assert.ok(day.shop.consultations >= 1, 'one consultation at least');
    assert.equal(day.shop.replyRate, 1, 'answered in time: the server counts 100%');

    owner = await newPage({ width: 1440, height: 1000 });
    await logIn(owner, '/admin/', 'owner@demo.xiaoer.dev');
    await openDashboard();
    const dashboard = owner.getByTestId('metrics-dashboard');
    assert.equal(await dashboard.getAttribute('data-date'), day.date, "the shop's today");

    const consultations = owner.getByTestId('metrics-consultations');
    assert.equal(await consultations.getAttribute('data-value'), String(day.shop.consultations));
    assert.match(await consultations.innerText(), new RegExp(`咨询人数[\\s\\S]*${day.shop.consultations}`));
    const inquiries = owner.getByTestId('metrics-inquiries');
    assert.equal(await inquiries.getAttribute('data-value'), String(day.shop.inquiries));
    assert.match(await inquiries.innerText(), /询单人数[\s\S]*全天/);

    const rate = owner.getByTestId('metrics-reply-rate');
    assert.equal(await rate.getAttribute('data-value'), String(day.shop.replyRate));
    assert.equal(await rate.getAttribute('data-below'), 'false');
    const rateText = await rate.innerText();
    assert.ok(rateText.includes(pct(day.shop.replyRate!)), `${rateText} shows ${pct(day.shop.replyRate!)}`);
    assert.match(rateText, new RegExp(`${day.replyMinutes} 分钟回复率`));
    assert.match(rateText, new RegExp(`门槛 ${pct(day.threshold)}`));

    // The definition of each figure on hover: the server's words.
    const { definitions } = await get<{ definitions: { key: string; text: { 'zh-CN': string } }[] }>(
      '/api/admin/metrics/definitions',
    );
    const consultDef = definitions.find((d) => d.key === 'consultations')!.text['zh-CN'];
    await consultations.getByText('咨询人数').hover();
    await owner.locator('.ant-tooltip', { hasText: consultDef }).waitFor();

    // The agent who answered, ranked in her segment; the chart drawn by hour.
    const row = owner.locator('[data-testid="metrics-agent-row"][data-agent-id="agent-demo-1"]');
    await row.waitFor();
    const mine = day.agents.find((a) => a.agentId === 'agent-demo-1')!;
    assert.ok(mine, 'the server has a row for 小美');
    assert.equal(await row.getAttribute('data-rank'), String(mine.rank ?? ''));
    assert.match(await row.innerText(), /小美/);
    const chart = owner.getByTestId('metrics-hour-chart');
    await chart.locator('svg').first().waitFor();
    assert.equal(
      await chart.locator('..').getAttribute('data-consultations'),
      String(day.byHour.reduce((n, h) => n + h.consultations, 0)),
    );
    await owner.mouse.move(0, 0);
    await owner.locator('.ant-tooltip:not(.ant-tooltip-hidden)').waitFor({ state: 'detached' });
    for (const id of ['metrics-hour-chart', 'metrics-histogram-chart', 'metrics-trend-chart'])
      await owner.locator(`[data-testid="${id}"][data-rendered="true"]`).waitFor();
    await owner.screenshot({
      path: `${ARTIFACTS}metrics-dashboard.png`,
      fullPage: true,
      animations: 'disabled',
    });
  });

  it('a second buyer left waiting raises the alert in the workbench (MET-5); a reply clears it', async () => {
    const second = await newPage({ width: 1280, height: 800 });
    await second.goto(`${t.url}/demo?buyer=anonymous`);
    await second.getByTestId('xiaoer-launcher').click();
    await second.getByTestId('xiaoer-input').fill(SECOND);
    await second.getByTestId('xiaoer-send').click();
    await second
      .locator('[data-testid="xiaoer-message"][data-sender="buyer"]', { hasText: SECOND })
      .waitFor();
    await dayWhen((d) => d.shop.pending >= 1, 'the second buyer to wait');

    const supervisor = await newPage();
    await logIn(supervisor, '/workbench/', 'owner@demo.xiaoer.dev');
    await supervisor.getByTestId('agent-status').waitFor();
    // The server re-checks every 20 s; do it now rather than wait.
    await t.server.ctx.metrics.checkAlerts();
    const { alert } = await get<{ alert: { projectedRate: number; threshold: number } | null }>(
      '/api/admin/metrics/alert',
    );
    assert.ok(alert, 'the server projects the rate below the threshold');
    const banner = supervisor.getByTestId('metrics-alert');
    await banner.waitFor();
    const text = await banner.innerText();
    assert.ok(text.includes(`预计 ${pct(alert.projectedRate)}`), text);
    assert.ok(text.includes(`低于 ${pct(alert.threshold)}`), text);
    const who = supervisor.getByTestId('metrics-alert-buyer');
    await who.first().waitFor();
    assert.match(await who.first().innerText(), /剩 \d+ 秒/);
    await supervisor.screenshot({ path: `${ARTIFACTS}metrics-alert.png`, animations: 'disabled' });

    // A click opens the waiting buyer's conversation.
    await who.first().click();
    await supervisor
      .locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: SECOND })
      .waitFor();

    // 小美 answers in time: the projection is safe again and the banner goes.
    await agent.locator('[data-testid="conversation-item"]', { hasText: SECOND }).click();
    await agent.getByTestId('composer').fill('在的亲，可以开发票');
    await agent.getByTestId('send-button').click();
    await dayWhen((d) => d.shop.pending === 0, 'the second buyer to be answered');
    await t.server.ctx.metrics.checkAlerts();
    await banner.waitFor({ state: 'detached' });
  });

  it('the agent ends the chat; the buyer rates it 5 stars and the satisfaction figure appears', async () => {
    await agent
      .locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`)
      .click();
    await agent.getByTestId('end-conversation').click();
    await agent.locator('.ant-popconfirm .ant-btn-primary').click();

    const rating = buyer.getByTestId('xiaoer-rating');
    await rating.getByText('请为本次服务打分').waitFor();
    const submit = buyer.getByTestId('xiaoer-rating-submit');
    assert.equal(await submit.isDisabled(), true, 'no score yet');
    const five = buyer.locator('[data-testid="xiaoer-rating-star"][data-score="5"]');
    assert.equal(await five.getAttribute('aria-label'), '5 星');
    await five.click();
    await rating.locator('textarea').fill('回复很快，谢谢');
    await buyer.screenshot({ path: `${ARTIFACTS}metrics-widget-rating.png`, animations: 'disabled' });
    await submit.click();
    await rating.getByText('感谢您的评价！').waitFor();
    // Not asked again for this conversation.
    const remembered = await buyer.evaluate(() => localStorage.getItem('xiaoer.rated.demo'));
    assert.ok(remembered?.includes(conversationId), 'the rated conversation is remembered');
    const again = await t.server.app.inject({
      method: 'POST',
      url: '/api/widget/rating',
      headers: {
        authorization: `Bearer ${await buyer.evaluate(() => localStorage.getItem('xiaoer.token.demo'))}`,
      },
      payload: { conversationId, score: 1 },
    });
    assert.equal(again.statusCode, 409, 'one rating a conversation');

    const day = await dayWhen((d) => d.shop.satisfaction.n >= 1, 'the rating to be counted');
    await refreshDashboard();
    const satisfaction = owner.getByTestId('metrics-satisfaction');
    await owner.waitForFunction(
      (n) =>
        document.querySelector('[data-testid="metrics-satisfaction"]')?.textContent?.includes(`${n} 条评价`),
      day.shop.satisfaction.n,
    );
    assert.equal(await satisfaction.getAttribute('data-value'), String(day.shop.satisfaction.avg));
    assert.ok((await satisfaction.innerText()).includes(day.shop.satisfaction.avg!.toFixed(1)));
  });

  it('a supervisor spot-checks the chat (MET-7): transcript, rubric, marked reviewed', async () => {
    const day = await get<DayMetrics>('/api/admin/metrics/day');
    await owner.getByRole('tab', { name: '质检', exact: true }).click();
    await owner.getByTestId('quality-review').waitFor();
    // The sample is yesterday's by default; the chat ended today.
    await owner.getByTestId('quality-date').fill(day.date);
    const row = owner.locator(`[data-testid="quality-row"][data-conversation-id="${conversationId}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-reviewed'), 'false');
    assert.match(await row.innerText(), /小美/);
    await row.getByRole('button').click();
    await owner.getByTestId('quality-transcript').getByText(QUESTION).waitFor();
    await owner.getByTestId('quality-transcript').getByText(ANSWER).waitFor();
    for (const [name, stars] of [
      ['quality-attitude', 5],
      ['quality-accuracy', 4],
      ['quality-compliance', 5],
    ] as const) {
      await owner
        .getByTestId(name)
        .locator('.ant-rate-star')
        .nth(stars - 1)
        .click();
    }
    await owner.getByLabel('备注').fill('回答准确，态度好');
    await owner.screenshot({ path: `${ARTIFACTS}metrics-quality.png`, animations: 'disabled' });
    await owner.getByTestId('quality-save').click();
    await owner
      .locator(`[data-testid="quality-row"][data-conversation-id="${conversationId}"][data-reviewed="true"]`)
      .waitFor();
    assert.match(await row.innerText(), /已质检/);

    // The score joins 小美's row in the agent table.
    const after = await dayWhen(
      (d) => (d.agents.find((a) => a.agentId === 'agent-demo-1')?.quality.n ?? 0) >= 1,
      'the review to join the agent row',
    );
    const quality = after.agents.find((a) => a.agentId === 'agent-demo-1')!.quality;
    await openDashboard();
    const agentRow = owner.locator('[data-testid="metrics-agent-row"][data-agent-id="agent-demo-1"]');
    await agentRow.waitFor();
    assert.ok((await agentRow.innerText()).includes(`${quality.avg!.toFixed(1)} (${quality.n})`));
  });

  it('the CSV export downloads the agent table with its header row', async () => {
    const [download] = await Promise.all([
      owner.waitForEvent('download'),
      owner.getByTestId('metrics-csv').click(),
    ]);
    const path = await download.path();
    const text = (await readFile(path, 'utf8')).replace(/^\ufeff/, '');
    const [header, ...rows] = text.trim().split('\n');
    const columns = header!.split(',');
    for (const c of ['agent', 'segment', 'consultations', 'reply_rate', 'score', 'rank'])
      assert.ok(columns.includes(c), `the header names ${c}: ${header}`);
    assert.ok(
      rows.some((r) => r.includes('小美')),
      'a row for 小美',
    );
  });

  it('the metrics settings refuse a bad edit on its field and save a good one', async () => {
    await owner.getByRole('tab', { name: '统计设置', exact: true }).click();
    await owner.getByTestId('metrics-settings').waitFor();
    // The window must end after it starts: the server says so, on the field.
    await owner.getByTestId('metrics-window-end').fill('00:00');
    await owner.getByTestId('metrics-settings-save').click();
    await owner.getByTestId('metrics-settings-error').getByText('统计结束').waitFor();
    await owner.locator('.ant-form-item-has-error', { hasText: '统计结束' }).waitFor();
    const unchanged = await get<{ settings: MetricsSettings }>('/api/admin/metrics/settings');
    assert.equal(unchanged.settings.windowEnd, '23:59', 'nothing saved');

    await owner.getByTestId('metrics-window-end').fill('23:59');
    await owner.getByTestId('metrics-threshold').fill('85');
    await owner.getByTestId('metrics-settings-save').click();
    await owner.locator('.ant-message-notice', { hasText: '已保存' }).last().waitFor();
    await owner.getByTestId('metrics-settings-error').waitFor({ state: 'detached' });
    const saved = await get<{ settings: MetricsSettings }>('/api/admin/metrics/settings');
    assert.equal(saved.settings.threshold, 0.85);
    assert.equal(saved.settings.windowEnd, '23:59');
    await owner.screenshot({
      path: `${ARTIFACTS}metrics-settings.png`,
      fullPage: true,
      animations: 'disabled',
    });
    assert.deepEqual(pageErrors, [], 'no uncaught errors in any page');
  });
});
