// The audit log as an auditor reads it (issue 5): every path leaves an intent and an outcome
// record, secrets never reach the file, the hash chain holds under concurrent load and
// continues after dockgate is killed mid-write.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  childEnv,
  docker,
  makeTempDir,
  randomSuffix,
  readAuditCalls,
  readAuditLog,
  requireEngineEnv,
  resultText,
  serveArgs,
  spawnRaw,
  startWithSdk,
  writePolicy,
} from './lib/dockgate.mjs';
import { fileChainProblem, lineHash } from './lib/audit-chain.mjs';

const CALL = { timeout: 60_000 };
const HMAC_KEY = 'e2e-checkpoint-key-0123456789abcdef';

// Everyone may list, inspect, run, exec and build; bob may not list images (the denial path).
const AUDIT_POLICY = `apiVersion: dockgate/v1
kind: Policy
name: audit-e2e
rules:
  - id: read-only-tools
    title: Everyone may list and inspect
    effect: allow
    match: {tools: [docker_ps, docker_images, docker_inspect]}
  - id: write-tools
    title: The audit tests run, exec, stop and build
    effect: allow
    match: {tools: [docker_run, docker_exec, docker_stop, docker_build]}
  - id: no-images-for-bob
    title: Bob may not list images
    effect: deny
    match: {tools: [docker_images], principals: [bob]}
    message: bob's role does not include image listing
    how_to_comply: ask for the images role
`;

describe('every path leaves an intent and an outcome record', { timeout: 120_000 }, () => {
  let tmp;
  let dg;
  let auditLog;
  const call = (name, args = {}) => dg.client.callTool({ name, arguments: args }, undefined, CALL);

  before(async () => {
    tmp = await makeTempDir();
    auditLog = join(tmp.dir, 'audit.jsonl');
    await writeFile(join(tmp.dir, 'hmac.key'), `${HMAC_KEY}\n`, { mode: 0o600 });
    dg = await startWithSdk('current', {
      args: serveArgs({
        policy: await writePolicy(tmp.dir, AUDIT_POLICY),
        auditLog,
        principal: 'bob',
        extra: ['--audit-checkpoint-every', '5', '--audit-hmac-key-file', join(tmp.dir, 'hmac.key')],
      }),
      env: childEnv(requireEngineEnv()),
    });
  });
  after(async () => {
    if (dg) await dg.stop().catch(() => {});
    await tmp?.remove();
  });

  test('allowed, denied, malformed, unknown tool and engine error', async () => {
    assert.equal((await call('docker_ps')).isError ?? false, false);
    assert.equal((await call('docker_images')).isError, true);
    assert.equal((await call('docker_ps', { all: 'yes' })).isError, true);
    assert.equal((await call('docker_no_such_tool')).isError, true);
    const missing = await call('docker_inspect', { object: `dg-missing-${randomSuffix()}`, type: 'container' });
    assert.equal(missing.isError, true, resultText(missing));
    const stop = await call('docker_stop', { container: `dg-missing-${randomSuffix()}` });
    assert.equal(stop.isError, true, resultText(stop));
    const { code } = await dg.stop();
    assert.equal(code, 0, dg.stderr());

    const calls = await readAuditCalls(auditLog); // throws when a call lacks either record
    assert.deepEqual(
      calls.map((c) => [c.intent.tool, c.intent.decision, c.outcome.result]),
      [
        ['docker_ps', 'allow', 'ok'],
        ['docker_images', 'deny', 'denied'],
        ['docker_ps', 'invalid', 'invalid'],
        ['docker_no_such_tool', 'unknown_tool', 'unknown_tool'],
        ['docker_inspect', 'allow', 'engine_error'],
        ['docker_stop', 'allow', 'engine_error'],
      ],
    );
    assert.equal(calls[5].outcome.engine_status, 404, JSON.stringify(calls[5].outcome));
    for (const c of calls) assert.equal(c.intent.schema, 2);
    assert.equal(await fileChainProblem(auditLog), null);
    // Checkpoints every 5 records and at exit, each naming the hash of that record's line and
    // signed as docs/audit.md says: HMAC-SHA256(key, "<seq>:<head>").
    const lines = (await readFile(auditLog, 'utf8')).split('\n');
    const checkpoints = [...dg.stderr().matchAll(/audit checkpoint: file=(\S+) seq=(\d+) head=([0-9a-f]{64}) hmac=([0-9a-f]{64})/g)];
    assert.deepEqual(checkpoints.map((m) => Number(m[2])), [5, 10, 12], dg.stderr());
    for (const [, file, seq, head, hmac] of checkpoints) {
      assert.equal(file, auditLog);
      assert.equal(head, lineHash(lines[Number(seq) - 1]));
      assert.equal(hmac, createHmac('sha256', HMAC_KEY).update(`${seq}:${head}`).digest('hex'));
    }
  });
});

describe('secrets never reach the audit log', { timeout: 180_000 }, () => {
  const sfx = randomSuffix();
  const container = `dg-audit-secrets-${sfx}`;
  const imageTag = `dockgate-e2e/audit-secrets:${sfx}`;
  // Values no record may contain, whatever else happens to the call.
  const SECRETS = {
    runEnv: `run-env-secret-${sfx}`,
    runEnvObject: `run-env-object-secret-${sfx}`,
    execEnv: `exec-env-secret-${sfx}`,
    buildArg: `build-arg-secret-${sfx}`,
    stray: `stray-credential-${sfx}`,
  };
  let tmp;
  let dg;
  let auditLog;
  const call = (name, args = {}) => dg.client.callTool({ name, arguments: args }, undefined, CALL);

  before(async () => {
    tmp = await makeTempDir();
    auditLog = join(tmp.dir, 'audit.jsonl');
    const workspace = join(tmp.dir, 'ws');
    await mkdir(join(workspace, 'app'), { recursive: true });
    await writeFile(
      join(workspace, 'app', 'Dockerfile'),
      'FROM dockgate-test/busybox:root\nARG NPM_TOKEN\nLABEL dg-audit-e2e=1\n',
    );
    dg = await startWithSdk('current', {
      args: serveArgs({
        policy: await writePolicy(tmp.dir, AUDIT_POLICY),
        auditLog,
        extra: ['--workspace-root', workspace],
      }),
      env: childEnv(requireEngineEnv()),
    });
  });
  after(async () => {
    if (dg) await dg.stop().catch(() => {});
    await docker(['rm', '-f', container]).catch(() => {});
    await docker(['rmi', '-f', imageTag]).catch(() => {});
    await tmp?.remove();
  });

  test('run env, exec env, build args and stray credentials are redacted', async () => {
    const run = await call('docker_run', {
      image: 'dockgate-test/busybox:user',
      name: container,
      command: ['sleep', '120'],
      labels: { 'dg-audit-e2e': sfx },
      env: [`DB_PASSWORD=${SECRETS.runEnv}`, 'PLAIN=visible-name'],
    });
    assert.equal(run.isError ?? false, false, resultText(run));
    const exec = await call('docker_exec', {
      container,
      command: ['true'],
      env: { API_TOKEN: SECRETS.execEnv },
    });
    assert.equal(exec.isError ?? false, false, resultText(exec));
    const build = await call('docker_build', { path: 'app', tag: imageTag, build_args: { NPM_TOKEN: SECRETS.buildArg } });
    assert.equal(build.isError ?? false, false, resultText(build));
    // Refused calls are recorded with their arguments as received: still redacted.
    await call('docker_run', { image: 'dockgate-test/busybox:user', env: { K: SECRETS.runEnvObject }, bogus: 1 });
    await call('docker_pull', { image: 'busybox:1', registry_password: SECRETS.stray });
    const { code } = await dg.stop();
    assert.equal(code, 0, dg.stderr());

    const raw = await readFile(auditLog, 'utf8');
    for (const [what, value] of Object.entries(SECRETS)) {
      assert.ok(!raw.includes(value), `the ${what} secret is in the audit log`);
    }
    const calls = await readAuditCalls(auditLog);
    const [runCall, execCall, buildCall, badRun, pull] = calls;
    assert.deepEqual(runCall.intent.redacted, ['arguments.env[0]', 'arguments.env[1]']);
    assert.equal(runCall.intent.arguments.env[0], 'DB_PASSWORD=<redacted>');
    assert.equal(runCall.outcome.created.length, 1);
    assert.deepEqual(execCall.intent.redacted, ['arguments.env.API_TOKEN']);
    assert.deepEqual(buildCall.intent.redacted, ['arguments.build_args.NPM_TOKEN']);
    assert.deepEqual(badRun.intent.redacted, ['arguments.env.K']);
    assert.deepEqual(pull.intent.redacted, ['arguments.registry_password']);
    assert.equal(await fileChainProblem(auditLog), null);
  });
});

describe('the chain under load, and after kill -9', { timeout: 240_000 }, () => {
  const CLIENTS = 8;
  const CALLS_EACH = 25;
  let tmp;
  let auditLog;
  let policy;

  before(async () => {
    tmp = await makeTempDir();
    auditLog = join(tmp.dir, 'audit.jsonl');
    policy = await writePolicy(tmp.dir, AUDIT_POLICY);
  });
  after(async () => {
    await tmp?.remove();
  });

  test(`${CLIENTS} concurrent callers x ${CALLS_EACH} calls: every call recorded, one valid chain`, async () => {
    const dg = await startWithSdk('current', {
      args: serveArgs({ policy, auditLog, principal: 'bob' }),
      env: childEnv(requireEngineEnv()),
    });
    try {
      // One stdio session carries one client; the callers are concurrent requests in flight on
      // it, which dockgate's worker pool runs in parallel (so appends race for the log).
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          for (let i = 0; i < CALLS_EACH; i++) {
            // Cheap calls: a denial (no engine) and a list.
            const name = (client + i) % 2 === 0 ? 'docker_images' : 'docker_ps';
            await dg.client.callTool({ name, arguments: {} }, undefined, CALL);
          }
        }),
      );
    } finally {
      const { code } = await dg.stop();
      assert.equal(code, 0, dg.stderr());
    }
    const calls = await readAuditCalls(auditLog);
    assert.equal(calls.length, CLIENTS * CALLS_EACH);
    assert.equal(new Set(calls.map((c) => c.call_id)).size, CLIENTS * CALLS_EACH);
    assert.equal(await fileChainProblem(auditLog), null);
  });

  test('kill -9 during load: the torn line is recovered and the chain goes on', async () => {
    const before = (await readAuditLog(auditLog)).length;
    const raw = spawnRaw({
      args: serveArgs({ policy, auditLog, principal: 'bob' }),
      env: childEnv(requireEngineEnv()),
    });
    await raw.initialize();
    const replies = [];
    for (let id = 1; id <= 200; id++) {
      raw.send({ id, method: 'tools/call', params: { name: 'docker_images', arguments: {} } });
      replies.push(raw.reply(id, 30_000).then(() => id, () => null));
    }
    await raw.waitFor((m) => m.id === 40, 'the 40th reply', 30_000);
    raw.kill();
    await new Promise((resolve) => raw.child.once('exit', resolve));
    const answered = raw.lines.filter((l) => l.includes('"result"')).length - 1; // minus initialize

    let text = await readFile(auditLog, 'utf8');
    if (text.endsWith('\n')) {
      // The kill landed between two writes: leave what a kill inside write() leaves, so the
      // recovery is exercised every run.
      await appendFile(auditLog, '{"call_id":"torn","schema":2,"se');
      text = await readFile(auditLog, 'utf8');
    }
    const completeLines = text.slice(0, text.lastIndexOf('\n') + 1);
    const tornBytes = Buffer.byteLength(text) - Buffer.byteLength(completeLines);

    const dg = await startWithSdk('current', {
      args: serveArgs({ policy, auditLog, principal: 'bob' }),
      env: childEnv(requireEngineEnv()),
    });
    assert.equal((await dg.client.callTool({ name: 'docker_ps', arguments: {} }, undefined, CALL)).isError ?? false, false);
    const { code } = await dg.stop();
    assert.equal(code, 0, dg.stderr());
    assert.match(dg.stderr(), /incomplete line/);

    const after = await readFile(auditLog, 'utf8');
    assert.ok(after.startsWith(completeLines), 'a complete record written before the kill was lost');
    assert.equal(await fileChainProblem(auditLog), null);
    const records = await readAuditLog(auditLog);
    const recovery = records.filter((r) => r.stage === 'recovery');
    assert.equal(recovery.length, 1);
    assert.equal(recovery[0].discarded_bytes, tornBytes);
    // Every call answered before the kill has its outcome in the log (written before the reply).
    const outcomes = records.slice(before).filter((r) => r.stage === 'outcome').length;
    assert.ok(outcomes >= answered, `${answered} calls were answered, ${outcomes} outcomes recorded`);
    assert.equal(records.at(-1).stage, 'outcome');
  });
});

describe('rotation by size keeps one chain across files', { timeout: 120_000 }, () => {
  let tmp;
  after(async () => {
    await tmp?.remove();
  });

  test('--audit-max-bytes 4k: several files, seq and prev continue from one to the next', async () => {
    tmp = await makeTempDir();
    const auditLog = join(tmp.dir, 'audit.jsonl');
    const dg = await startWithSdk('current', {
      args: serveArgs({
        policy: await writePolicy(tmp.dir, AUDIT_POLICY),
        auditLog,
        principal: 'bob',
        extra: ['--audit-max-bytes', '4k'],
      }),
      env: childEnv(requireEngineEnv()),
    });
    for (let i = 0; i < 20; i++) {
      await dg.client.callTool({ name: 'docker_images', arguments: {} }, undefined, CALL);
    }
    const { code } = await dg.stop();
    assert.equal(code, 0, dg.stderr());
    // audit-<yyyymmddThhmmssZ>[-n].jsonl, oldest first, then the live file.
    const order = (name) => {
      const m = /^audit-(\d{8}T\d{6}Z)(?:-(\d+))?\.jsonl$/.exec(name);
      return m ? [m[1], Number(m[2] ?? 0)] : null;
    };
    const rotated = (await readdir(tmp.dir))
      .filter((name) => order(name))
      .sort((a, b) => {
        const [sa, na] = order(a);
        const [sb, nb] = order(b);
        return sa === sb ? na - nb : sa < sb ? -1 : 1;
      });
    assert.ok(rotated.length >= 2, `expected rotated files, found ${rotated.join(', ')}`);
    const files = [...rotated.map((name) => join(tmp.dir, name)), auditLog];
    for (const file of files) assert.ok((await stat(file)).size <= 4096, `${file} is over 4k`);
    assert.equal(await fileChainProblem(...files), null);
    const records = (await Promise.all(files.map((f) => readAuditLog(f)))).flat();
    assert.equal(records.length, 40);
    assert.match(dg.stderr(), /audit log rotated \(size\)/);
  });
});
