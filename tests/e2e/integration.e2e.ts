/**
 * Issue #16 in Chromium, for a shop that is not the demo: the owner makes an API key in the
 * console (shown once), an order written with it reaches the workbench's buyer panel, and the
 * key revoked in the console stops at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, newShopWorld } from '../support/browser';
import { AGENT_PASSWORD } from '../support/server';

const OWNER = 'boss@tea-api.cn';

describe('e2e: an API key from the console writes the shop’s orders (issue #16)', () => {
  let world: Awaited<ReturnType<typeof newShopWorld>>;
  before(async () => {
    world = await newShopWorld('tea-api', OWNER);
  });
  after(async () => {
    await world?.close();
  });

  it('make a key, write an order with it, revoke it', async () => {
    const { t, pages } = world;
    const owner = await pages.open({ width: 1440, height: 900 });
    await owner.goto(`${t.url}/admin/`);
    await owner.getByTestId('login-email').fill(OWNER);
    await owner.getByTestId('login-password').fill(AGENT_PASSWORD);
    await owner.getByTestId('login-submit').click();
    await owner.getByRole('tab', { name: '集成' }).click();
    await owner.getByTestId('apikey-create').click();
    await owner.getByTestId('apikey-name').fill('ERP');
    await owner.getByTestId('apikey-save').click();
    const secret = owner.getByTestId('apikey-secret');
    await secret.waitFor();
    const key = (await secret.locator('code').textContent())!.trim();
    assert.match(key, /^xk_/);
    await owner.screenshot({ path: `${ARTIFACTS}console-api-key-once.png` });
    await owner.getByTestId('apikey-done').click();
    await owner.getByTestId('apikey-secret').waitFor({ state: 'detached' });
    await owner.locator('[data-testid="apikey-row"][data-name="ERP"]').waitFor();
    assert.equal(await owner.getByText(key).count(), 0, 'never shown again');

    const put = (auth: string) =>
      fetch(`${t.url}/api/v1/orders/T-1`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          buyerExternalId: 'tb-1',
          status: 'paid',
          totalCents: 100,
          items: [],
          createdAt: new Date().toISOString(),
        }),
      });
    assert.equal((await put(key)).status, 201);

    await owner.getByTestId('apikey-revoke').click();
    await owner
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await owner.getByTestId('apikey-revoked').waitFor();
    await owner.screenshot({ path: `${ARTIFACTS}console-api-keys.png` });
    assert.equal((await put(key)).status, 401);
    assert.deepEqual(pages.errors, [], 'no uncaught errors in any page');
  });
});
