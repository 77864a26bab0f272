import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkWebhookUrl,
  isPrivateAddress,
  nextWebhookAttempt,
  subscribes,
  WEBHOOK_RETRY_DELAYS_MS,
} from './webhooks';

const rules = { ownPorts: [3000], ownHosts: ['cs-box'], allowPrivate: true };

describe('issue #16 webhook endpoints', () => {
  it('a URL must be http(s), without credentials, and not xiaoer itself', () => {
    assert.equal(checkWebhookUrl('https://erp.example.com/hook', rules).hostname, 'erp.example.com');
    // The shop's ERP beside xiaoer: allowed by default.
    assert.equal(checkWebhookUrl('http://127.0.0.1:8080/x', rules).port, '8080');
    assert.equal(checkWebhookUrl('http://192.168.1.20/x', rules).hostname, '192.168.1.20');
    for (const [url, says] of [
      ['ftp://erp.example.com/x', /http or https/],
      ['javascript:alert(1)', /http or https/],
      ['erp.example.com/x', /absolute/],
      ['https://u:p@erp.example.com/x', /user name or password/],
      ['http://localhost:3000/api/v1/orders', /xiaoer itself/],
      ['http://127.0.0.2:3000/', /xiaoer itself/],
      ['http://[::1]:3000/', /xiaoer itself/],
      ['http://0.0.0.0:3000/', /xiaoer itself/],
      ['http://CS-BOX:3000/', /xiaoer itself/],
    ] as const) {
      assert.throws(
        () => checkWebhookUrl(url, rules),
        (e: Error & { field?: string }) => says.test(e.message) && e.field === 'url',
        url,
      );
    }
  });

  it('the setting that forbids private addresses refuses them, public ones pass', () => {
    const strict = { ...rules, allowPrivate: false };
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://10.1.2.3/',
      'http://[fd00::1]/',
      'http://localhost:9/',
    ])
      assert.throws(() => checkWebhookUrl(url, strict), /loopback or private/, url);
    assert.ok(checkWebhookUrl('https://203.0.113.9/hook', strict));
  });

  it('private ranges, v4 and v6', () => {
    for (const a of [
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '127.0.0.1',
      '169.254.1.1',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fc00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
    ])
      assert.equal(isPrivateAddress(a), true, a);
    for (const a of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2001:db8::1', 'example.com'])
      assert.equal(isPrivateAddress(a), false, a);
  });

  it('retries back off for more than a day, then give up', () => {
    let at = 0;
    let tries = 1;
    for (;;) {
      const next = nextWebhookAttempt(tries, at);
      if (next === null) break;
      assert.ok(next > at);
      at = next;
      tries++;
    }
    assert.equal(tries, WEBHOOK_RETRY_DELAYS_MS.length + 1);
    assert.ok(at >= 24 * 3_600_000, `last try at ${at / 3_600_000} h`);
  });

  it('an endpoint hears what it subscribed to, all with *, and always a ping', () => {
    assert.equal(subscribes(['message.created'], 'message.created'), true);
    assert.equal(subscribes(['message.created'], 'order.created'), false);
    assert.equal(subscribes(['*'], 'order.created'), true);
    assert.equal(subscribes(['order.created'], 'webhook.ping'), true);
  });
});
