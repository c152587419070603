// Policy denials (decided before the engine is contacted) and engine failures (refused client
// certificate, engine down), each as the client sees it and as the audit log records it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  BOB_POLICY,
  DEAD_ENGINE,
  ROGUE_CERT_PATH,
  childEnv,
  makeTempDir,
  readAuditCalls,
  requireEngineEnv,
  resultText,
  serveArgs,
  startWithSdk,
  writePolicy,
} from './lib/dockgate.mjs';

const CALL = { timeout: 20_000 };

/**
 * One dockgate per describe block: starts it in before(), stops it and removes its temp dir in
 * after(). ctx.dg, ctx.auditLog and ctx.stop() (returns the audited calls) are for the tests.
 */
function useDockgate({ policyText, principal = 'e2e-user', extra = [], engineEnv }) {
  const ctx = {};
  let tmp;
  before(async () => {
    tmp = await makeTempDir();
    ctx.auditLog = join(tmp.dir, 'audit.jsonl');
    const policy = policyText ? await writePolicy(tmp.dir, policyText) : undefined;
    ctx.dg = await startWithSdk('current', {
      args: serveArgs({ policy, principal, auditLog: ctx.auditLog, extra }),
      env: childEnv(engineEnv()),
    });
  });
  after(async () => {
    try {
      if (ctx.dg) await ctx.dg.stop();
    } finally {
      await tmp?.remove();
    }
  });
  ctx.call = (name, args = {}) => ctx.dg.client.callTool({ name, arguments: args }, undefined, CALL);
  ctx.stop = async () => {
    const { code } = await ctx.dg.stop();
    assert.equal(code, 0, `dockgate exit code; stderr:\n${ctx.dg.stderr()}`);
    return readAuditCalls(ctx.auditLog);
  };
  return ctx;
}

describe('policy denial happens before the engine is contacted', { timeout: 60_000 }, () => {
  // The engine address is dead and TLS is off: any call that reached the engine would fail
  // with "cannot reach engine". The denial must not.
  const ctx = useDockgate({
    policyText: BOB_POLICY,
    principal: 'bob',
    extra: ['--docker-host', DEAD_ENGINE, '--allow-plain-tcp'],
    engineEnv: () => ({}), // no DOCKER_HOST, DOCKER_TLS_VERIFY or DOCKER_CERT_PATH
  });

  test('docker_images is denied for bob, naming the rule', async () => {
    const result = await ctx.call('docker_images');
    const text = resultText(result);
    assert.equal(result.isError, true, text);
    assert.match(text, /^Denied by policy/);
    assert.ok(text.includes('[no-images-for-bob]'), text);
    assert.ok(!text.includes('cannot reach engine'), `the engine was contacted:\n${text}`);
  });

  test('docker_ps is allowed, and fails because the engine address is dead', async () => {
    const result = await ctx.call('docker_ps');
    const text = resultText(result);
    assert.equal(result.isError, true, text);
    assert.ok(text.includes(`cannot reach engine at ${DEAD_ENGINE}`), text);
  });

  test('the audit log records the denial and the engine error', async () => {
    const [images, ps, ...rest] = await ctx.stop();
    assert.deepEqual(rest, []);

    assert.equal(images.intent.tool, 'docker_images');
    assert.equal(images.intent.principal.name, 'bob');
    assert.equal(images.intent.decision, 'deny');
    assert.deepEqual(images.intent.violations.map((v) => v.rule), ['no-images-for-bob']);
    assert.equal(images.outcome.result, 'denied');

    assert.equal(ps.intent.tool, 'docker_ps');
    assert.equal(ps.intent.decision, 'allow');
    assert.equal(ps.outcome.result, 'engine_error');
    assert.match(ps.outcome.error, /cannot reach engine/);
  });
});

describe('the engine refuses our client certificate', { timeout: 60_000 }, () => {
  const ctx = useDockgate({
    extra: ['--cert-path', ROGUE_CERT_PATH],
    engineEnv: requireEngineEnv,
  });

  test('docker_ps fails with a certificate error', async () => {
    const result = await ctx.call('docker_ps');
    const text = resultText(result);
    assert.equal(result.isError, true, text);
    assert.ok(text.includes('cannot reach engine at'), text);
    assert.match(text, /certificate/);
  });

  test('audited as engine_error', async () => {
    const [ps, ...rest] = await ctx.stop();
    assert.deepEqual(rest, []);
    assert.equal(ps.intent.tool, 'docker_ps');
    assert.equal(ps.intent.decision, 'allow');
    assert.equal(ps.outcome.result, 'engine_error');
    assert.match(ps.outcome.error, /certificate/);
  });
});

describe('the engine is down', { timeout: 60_000 }, () => {
  const ctx = useDockgate({
    extra: ['--docker-host', DEAD_ENGINE], // TLS verify and the good certs from the environment
    engineEnv: () => {
      const env = requireEngineEnv();
      assert.equal(env.DOCKER_TLS_VERIFY, '1', 'the dev engine env sets DOCKER_TLS_VERIFY=1');
      return env;
    },
  });

  test('docker_ps fails with connection refused', async () => {
    const result = await ctx.call('docker_ps');
    const text = resultText(result);
    assert.equal(result.isError, true, text);
    assert.ok(text.includes(`cannot reach engine at ${DEAD_ENGINE}`), text);
    assert.match(text, /connection refused/);
  });

  test('audited as engine_error', async () => {
    const [ps, ...rest] = await ctx.stop();
    assert.deepEqual(rest, []);
    assert.equal(ps.outcome.result, 'engine_error');
    assert.match(ps.outcome.error, /connection refused/);
  });
});
