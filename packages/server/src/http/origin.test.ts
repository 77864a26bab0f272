import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileTrust,
  judgeOrigin,
  normalizeOrigin,
  OriginGuard,
  ownOrigin,
  type OriginHeaders,
} from './origin';

const OWN = 'https://kefu.example.com';
const allowed = (o: string) => o === OWN;

test('judgeOrigin: Origin first, then Referer, then Sec-Fetch-Site; none of them is not a browser', () => {
  const cases: [OriginHeaders, boolean][] = [
    [{ origin: OWN }, true],
    [{ origin: 'https://KEFU.example.com:443' }, true],
    [{ origin: 'https://evil.example' }, false],
    [{ origin: 'http://kefu.example.com' }, false],
    [{ origin: 'null' }, false],
    [{ origin: 'https://evil.example', referer: `${OWN}/workbench/` }, false],
    [{ origin: OWN, 'sec-fetch-site': 'cross-site' }, true],
    [{ referer: `${OWN}/workbench/?x=1` }, true],
    [{ referer: 'https://evil.example/page' }, false],
    [{ referer: 'not a url' }, false],
    [{ 'sec-fetch-site': 'same-origin' }, true],
    [{ 'sec-fetch-site': 'same-site' }, false],
    [{ 'sec-fetch-site': 'cross-site' }, false],
    [{ 'sec-fetch-site': 'none' }, false],
    [{}, true],
  ];
  for (const [headers, ok] of cases)
    assert.equal(judgeOrigin(headers, allowed).ok, ok, JSON.stringify(headers));
});

test('normalizeOrigin keeps scheme, host and a non-default port only', () => {
  assert.equal(normalizeOrigin('HTTP://Example.com:80/a?b'), 'http://example.com');
  assert.equal(normalizeOrigin('https://x.example:8443'), 'https://x.example:8443');
  assert.equal(normalizeOrigin('file:///etc/passwd'), undefined);
  assert.equal(normalizeOrigin('null'), undefined);
});

test('ownOrigin: Host and the connection scheme; X-Forwarded-Proto/-Host only from a trusted proxy', () => {
  const req = (remoteAddress: string, headers: Record<string, string>) =>
    ({ headers, socket: { remoteAddress } }) as unknown as Parameters<typeof ownOrigin>[0];
  const fwd = { host: 'node:3001', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'kefu.example.com' };
  assert.equal(ownOrigin(req('127.0.0.1', fwd), compileTrust(false)), 'http://node:3001');
  assert.equal(ownOrigin(req('127.0.0.1', fwd), compileTrust('loopback')), OWN);
  assert.equal(ownOrigin(req('10.0.0.9', fwd), compileTrust('loopback')), 'http://node:3001');
  assert.equal(ownOrigin(req('10.0.0.9', fwd), compileTrust('10.0.0.0/8')), OWN);
  assert.equal(ownOrigin(req('10.0.0.9', fwd), compileTrust(true)), OWN);
  assert.equal(ownOrigin(req('127.0.0.1', {}), compileTrust(false)), undefined);
});

test('OriginGuard says once how to fix a proxy it does not trust (same host, other scheme)', () => {
  const said: string[] = [];
  const guard = new OriginGuard({ ALLOWED_ORIGINS: [], TRUST_PROXY: false }, (m) => said.push(m));
  const req = (origin: string) =>
    ({
      headers: { host: 'kefu.example.com', origin, 'x-forwarded-proto': 'https' },
      socket: { remoteAddress: '127.0.0.1' },
    }) as unknown as Parameters<OriginGuard['refusal']>[0];
  assert.equal(guard.refusal(req('http://kefu.example.com')), undefined);
  const refused = guard.refusal(req(OWN));
  assert.equal(refused?.code, 'forbidden');
  assert.equal(refused?.field, 'origin');
  guard.refusal(req(OWN));
  guard.refusal(req('https://evil.example'));
  assert.equal(said.length, 1);
  assert.match(said[0]!, /TRUST_PROXY/);
});
