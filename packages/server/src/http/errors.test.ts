import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@xiaoer/core';
import { toErrorResponse } from './errors';

describe('error answers', () => {
  it('issue #18 a fault of the server is 500 internal_error with no details, never a client code', () => {
    const r = toErrorResponse(new TypeError('cannot read properties of undefined (secret detail)'));
    assert.equal(r.status, 500);
    assert.equal(r.internal, true);
    assert.deepEqual(r.body, { error: { code: 'internal_error', message: 'internal error' } });
  });

  it('a domain failure keeps its code, status and field', () => {
    const r = toErrorResponse(new DomainError('conflict', 'taken', 'email'));
    assert.equal(r.status, 409);
    assert.equal(r.internal, false);
    assert.equal(r.body.error.code, 'conflict');
    assert.equal(r.body.error.field, 'email');
  });
});
