import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorCode, isAborted, TilesrError } from './errors.ts';

class DemoError extends TilesrError<'ONE' | 'ABORTED'> {}

class NamedError extends TilesrError<'X'> {
  override readonly name = 'PinnedName';
}

test('TilesrError carries code, message, cause and the subclass name', () => {
  const cause = new Error('root');
  const e = new DemoError('ONE', 'went wrong', { cause });
  assert.ok(e instanceof DemoError);
  assert.ok(e instanceof TilesrError);
  assert.ok(e instanceof Error);
  assert.equal(e.code, 'ONE');
  assert.equal(e.message, 'went wrong');
  assert.equal(e.cause, cause);
  assert.equal(e.name, 'DemoError');
  assert.equal(new TilesrError('Z', 'm').name, 'TilesrError');
  assert.equal(new NamedError('X', 'm').name, 'PinnedName');
  assert.equal(new DemoError('ONE', 'no cause').cause, undefined);
});

test('errorCode reads TilesrErrors and structured clones, nothing else', () => {
  assert.equal(errorCode(new DemoError('ONE', 'm')), 'ONE');
  const clone = structuredClone({ name: 'DemoError', code: 'ONE', message: 'm' });
  assert.equal(errorCode(clone), 'ONE');
  // a structured clone of the Error itself keeps the message but loses own fields in some engines,
  // so only the plain-object form is a contract; both must at least not throw
  assert.doesNotThrow(() => errorCode(structuredClone(new DemoError('ONE', 'm'))));
  assert.equal(errorCode({ code: 42 }), undefined);
  assert.equal(errorCode(new Error('plain')), undefined);
  assert.equal(errorCode('ABORTED'), undefined);
  assert.equal(errorCode(null), undefined);
  assert.equal(errorCode(undefined), undefined);
  const sys = Object.assign(new Error('no file'), { code: 'ENOENT' });
  assert.equal(errorCode(sys), 'ENOENT');
});

test('isAborted is true only for the ABORTED code', () => {
  assert.equal(isAborted(new DemoError('ABORTED', 'stop')), true);
  assert.equal(isAborted({ code: 'ABORTED' }), true);
  assert.equal(isAborted(new DemoError('ONE', 'm')), false);
  assert.equal(isAborted(new DOMException('x', 'AbortError')), false);
  assert.equal(isAborted(undefined), false);
});
