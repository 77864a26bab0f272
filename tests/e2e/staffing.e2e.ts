import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { StaffingReport } from '@xiaoer/core';
import { ARTIFACTS, logIn, newShopWorld } from '../support/browser';
import { AGENT_PASSWORD, loginCookie } from '../support/server';

const OWNER = 'boss@staffing.cn';

/**
 * Issue #18, the staffing planner in the console: the owner of a new shop opens 排班规划, sees the
 * chart and the hour table, plans a typed forecast, edits the rota (the gap follows as typed) and
 * saves it; the server has it. At 390 px the page does not spill sideways (the table scrolls).
 * Figures come from the API for the same input, never hard-coded.
 */
describe('e2e: staffing planner — chart, hour table, forecast, rota edited and saved', () => {
  let world: Awaited<ReturnType<typeof newShopWorld>>;
  let owner: Page;
  let cookie = '';

  before(async () => {
    world = await newShopWorld('staffing-e2e', OWNER);
    cookie = await loginCookie(world.t.server, OWNER, AGENT_PASSWORD);
  });
  after(() => world?.close());

  const api = async <T>(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T> => {
    const res = await world.t.server.app.inject({
      method,
      url,
      headers: { cookie },
      ...(payload ? { payload: payload as Record<string, unknown> } : {}),
    });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json() as T;
  };
  const gap = (page: Page, hour: number) => page.getByTestId(`gap-${hour}`);
  const chartDrawn = (page: Page) =>
    page.locator('[data-testid="staffing-chart"][data-rendered="true"]').waitFor();

  async function openPlanner(page: Page): Promise<void> {
    await logIn(page, world.t.url, '/admin/', OWNER, AGENT_PASSWORD);
    await page.getByRole('tab', { name: '排班规划', exact: true }).click();
    await page.getByTestId('staffing-table').waitFor();
  }

  it('opens on the shop’s own data: the chart, 24 hours in the table, the method explained', async () => {
    owner = await world.pages.open();
    await openPlanner(owner);
    await chartDrawn(owner);
    assert.equal(await owner.getByTestId('staffing-table').locator('tbody tr.ant-table-row').count(), 24);
    // A new shop has no conversations yet: nothing is needed and nothing is short.
    assert.equal(await gap(owner, 10).textContent(), '持平');
    await owner.getByText('怎么算的').click();
    assert.match((await owner.getByTestId('staffing-explain').textContent()) ?? '', /Erlang C/);
    assert.doesNotMatch((await owner.locator('body').textContent()) ?? '', /MET-\d|RT-\d/);
  });

  it('plans a typed forecast, edits the rota with the gap following, and saves it', async () => {
    const arrivals = Array.from({ length: 24 }, (_, h) => (h === 10 ? 40 : h === 15 ? 12 : 0));
    await owner.getByText('手动预测', { exact: true }).click();
    await owner.getByTestId('forecast-10').fill('40');
    await owner.getByTestId('forecast-15').fill('12');
    await owner.getByTestId('staffing-run').click();
    // The server's plan for the same forecast and the shop's own figures.
    const plan = await api<StaffingReport>('POST', '/api/admin/staffing/plan', { arrivals });
    const need10 = plan.hours[10]!.agentsNeeded;
    const need15 = plan.hours[15]!.agentsNeeded;
    assert.ok(need10 > need15 && need15 > 0, `${need10}, ${need15}`);
    await owner.getByTestId('gap-10').getByText(`短缺 ${need10}`).waitFor();
    await gap(owner, 15).getByText(`短缺 ${need15}`).waitFor();
    await chartDrawn(owner);

    await owner.getByTestId('rota-10').fill(String(need10));
    await owner.getByTestId('rota-15').fill(String(need15 + 2));
    await owner.getByTestId('rota-20').fill('1');
    assert.equal(await gap(owner, 10).textContent(), '持平');
    assert.equal(await gap(owner, 15).textContent(), '富余 2');
    assert.equal(await gap(owner, 20).textContent(), '富余 1');
    await owner.getByTestId('staffing-save-rota').click();
    await owner.getByText('排班已保存').waitFor();

    const expected = Array.from({ length: 24 }, (_, h) =>
      h === 10 ? need10 : h === 15 ? need15 + 2 : h === 20 ? 1 : 0,
    );
    const { rota } = await api<{ rota: { hours: number[] } }>('GET', '/api/admin/staffing/rota');
    assert.deepEqual(rota.hours, expected);
    // Saved is saved: the button rests until the next edit, and a reload shows the rota.
    await owner.locator('[data-testid="staffing-save-rota"]:disabled').waitFor();
    await owner.screenshot({ path: `${ARTIFACTS}staffing-1440.png`, fullPage: true, animations: 'disabled' });
    await owner.reload();
    await owner.getByRole('tab', { name: '排班规划', exact: true }).click();
    await owner.getByTestId('staffing-table').waitFor();
    assert.equal(await owner.getByTestId('rota-15').inputValue(), String(need15 + 2));
  });

  it('at 390 px wide the page does not spill sideways: the table scrolls in its own box', async () => {
    const phone = await world.pages.open({ width: 390, height: 844 });
    await openPlanner(phone);
    await chartDrawn(phone);
    const widths = await phone.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      table: document.querySelector('[data-testid="staffing-table"] .ant-table-content')?.scrollWidth ?? 0,
      box: document.querySelector('[data-testid="staffing-table"] .ant-table-content')?.clientWidth ?? 0,
    }));
    assert.ok(widths.page <= 390, `the page is ${widths.page} px wide`);
    assert.ok(
      widths.table > widths.box,
      `the table (${widths.table} px) scrolls in its box (${widths.box} px)`,
    );
    await phone.screenshot({ path: `${ARTIFACTS}staffing-390.png`, fullPage: true, animations: 'disabled' });
    assert.deepEqual(world.pages.errors, []);
  });
});
