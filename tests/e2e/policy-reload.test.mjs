// Policy reload on SIGHUP: a rewritten policy takes effect without a restart; a broken one is
// rejected (file:line:col on stderr, a policy_reload audit record) and the last good policy
// stays active. The engine address is dead on purpose: an allowed docker_ps reaches the
// executor and fails with "cannot reach engine", a denied one never gets there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile, rename } from 'node:fs/promises';
import {
  DEAD_ENGINE,
  childEnv,
  makeTempDir,
  readAuditLog,
  serveArgs,
  spawnRaw,
  writePolicy,
} from './lib/dockgate.mjs';

const policyAllowing = (tools) => `apiVersion: dockgate/v1
kind: Policy
name: reload-test
rules:
  - id: allowed-tools
    title: The tools of this test
    effect: allow
    match: {tools: [${tools.join(', ')}]}
`;

async function until(what, predicate, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Written aside and renamed over, as config tools do: dockgate never reads half a file.
async function replace(file, text) {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

test('SIGHUP reloads the policy; a broken policy keeps the last good one', { timeout: 60_000 }, async () => {
  const tmp = await makeTempDir();
  const auditLog = join(tmp.dir, 'audit.jsonl');
  const policy = await writePolicy(tmp.dir, policyAllowing(['docker_ps', 'docker_policy_show']));
  const dg = spawnRaw({
    args: serveArgs({ policy, auditLog, extra: ['--docker-host', DEAD_ENGINE, '--allow-plain-tcp'] }),
    env: childEnv({}),
  });
  let id = 1;
  const call = async (name, args = {}) =>
    (await dg.request(id++, 'tools/call', { name, arguments: args })).result;
  const reloads = async () => (await readAuditLog(auditLog)).filter((r) => r.stage === 'policy_reload');
  try {
    await dg.initialize();
    const first = await call('docker_ps');
    assert.equal(first.isError, true);
    assert.match(first.content[0].text, /cannot reach engine/, 'allowed: it reached the executor');
    const shown = await call('docker_policy_show');
    const firstSha = shown.structuredContent.policy_sha256;

    await replace(policy, policyAllowing(['docker_images', 'docker_policy_show']));
    dg.child.kill('SIGHUP');
    const ok = await until('the sighup reload record', async () =>
      (await reloads()).find((r) => r.trigger === 'sighup' && r.result === 'ok'));
    assert.equal(ok.previous, firstSha);
    const denied = await call('docker_ps');
    assert.equal(denied.isError, true);
    assert.match(denied.content[0].text, /Denied by policy .*\[default-deny\]/s);
    const goodSha = (await call('docker_policy_show')).structuredContent.policy_sha256;
    assert.equal(goodSha, ok.policy_sha256);

    await replace(policy, policyAllowing(['docker_ps']) + '    tite: typo\n');
    dg.child.kill('SIGHUP');
    const rejected = await until('the rejected reload record', async () =>
      (await reloads()).find((r) => r.trigger === 'sighup' && r.result === 'rejected'));
    assert.equal(rejected.policy_sha256, goodSha, 'the last good policy is still active');
    assert.match(rejected.error, /policy\.yaml:9:5: DG001 .*unknown key 'tite'/);
    assert.match(dg.stderr(), /policy\.yaml:9:5: DG001/);
    const stillDenied = await call('docker_ps');
    assert.match(stillDenied.content[0].text, /\[default-deny\]/);
    assert.equal((await call('docker_policy_show')).structuredContent.policy_sha256, goodSha);
    assert.equal(dg.child.exitCode, null, 'dockgate survived both signals');

    const { code } = await dg.closeStdin();
    assert.equal(code, 0, `exit code; stderr:\n${dg.stderr()}`);
  } finally {
    dg.kill();
    await tmp.remove();
  }
});
