// deploy/'s Kubernetes manifests parse as YAML and agree with the engine: the worker runs
// `tilesr worker` with its Redis URL from a Secret, KEDA watches the queue's real wait list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_QUEUE } from './jobs.ts';
import { REDIS_URL_ENV } from './redis.ts';

const DEPLOY = resolve(import.meta.dirname, '../deploy');

/** Every document of a manifest file (a YAML error fails the test). */
function docs(file: string): unknown[] {
  return parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], `${file}: ${d.errors.join('; ')}`);
    return d.toJS() as unknown;
  });
}

/** The value at a dotted path (`a.b.0.c`), undefined where the path breaks. */
function at(v: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      v,
    );
}

test('worker Deployment: `tilesr worker`, Redis URL from a Secret, time to finish a job on SIGTERM', () => {
  const [dep] = docs('worker.yaml');
  assert.equal(at(dep, 'kind'), 'Deployment');
  const c = at(dep, 'spec.template.spec.containers.0');
  assert.deepEqual((at(c, 'command') as string[]).slice(0, 2), ['tilesr', 'worker']);
  const env = at(c, 'env') as Array<{ name: string }>;
  const url = env.find((e) => e.name === REDIS_URL_ENV);
  assert.equal(at(url, 'valueFrom.secretKeyRef.name'), 'tilesr-secrets');
  assert.ok(Number(at(dep, 'spec.template.spec.terminationGracePeriodSeconds')) >= 60);
  assert.ok(at(c, 'resources.limits.memory'), 'memory bounded per worker');
  const label = 'app.kubernetes.io/name';
  assert.equal(
    (at(dep, 'spec.selector.matchLabels') as Record<string, string>)[label],
    (at(dep, 'spec.template.metadata.labels') as Record<string, string>)[label],
  );
});

test('KEDA ScaledObject scales the Deployment on the BullMQ wait list of the queue', () => {
  const [dep] = docs('worker.yaml');
  const [so, auth] = docs('keda.yaml');
  assert.equal(at(so, 'kind'), 'ScaledObject');
  assert.equal(at(so, 'spec.scaleTargetRef.name'), at(dep, 'metadata.name'));
  const t = at(so, 'spec.triggers.0');
  assert.equal(at(t, 'type'), 'redis');
  assert.equal(at(t, 'metadata.listName'), `bull:${DEFAULT_QUEUE}:wait`);
  assert.ok(Number(at(t, 'metadata.listLength')) > 0);
  assert.equal(at(auth, 'kind'), 'TriggerAuthentication');
  assert.equal(at(t, 'authenticationRef.name'), at(auth, 'metadata.name'));
  const [secret] = docs('secret.example.yaml');
  assert.equal(at(secret, 'metadata.name'), 'tilesr-secrets');
  const data = at(secret, 'stringData') as Record<string, string>;
  for (const ref of at(auth, 'spec.secretTargetRef') as Array<{ key: string }>)
    assert.ok(ref.key in data, ref.key);
  assert.match(data['redis-url'] ?? '', /^rediss:\/\//);
});
