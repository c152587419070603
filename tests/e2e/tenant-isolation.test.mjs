// Tenant isolation over stdio with the official SDK: three dockgate processes on the same
// engine, as alice (team web), bob (no team), carol (team web) and an admin, under
// policies/default.yaml + policies/examples/team-server.yaml. alice's container and volume are
// invisible and untouchable for bob, visible and readable for carol, and the admin sees and
// stops them. Principal and team names carry a random suffix, so other runs' objects never
// match; after() removes what the test created, by name.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  REPO_ROOT,
  childEnv,
  docker,
  makeTempDir,
  randomSuffix,
  requireEngineEnv,
  resultText,
  serveArgs,
  startWithSdk,
} from './lib/dockgate.mjs';

const CALL = { timeout: 60_000 };
const TEAM_SERVER = join(REPO_ROOT, 'policies/examples/team-server.yaml');
const IMAGE = 'dockgate-test/busybox:user';
const HARDENED = { user: '1000:1000', cap_drop: ['ALL'], read_only: true };

describe('tenant isolation (team-server.yaml)', { timeout: 240_000 }, () => {
  const sfx = randomSuffix();
  const alice = `alice-${sfx}`;
  const bob = `bob-${sfx}`;
  const carol = `carol-${sfx}`;
  const team = `web-${sfx}`;
  const container = `tenant-web-${sfx}`;
  const volume = `tenant-data-${sfx}`;
  const clients = {};
  let tmp;

  async function start(who, roles) {
    const auditLog = join(tmp.dir, `${who}.jsonl`);
    const extra = ['--policy', TEAM_SERVER, ...roles.flatMap((r) => ['--role', r])];
    clients[who] = await startWithSdk('current', {
      args: serveArgs({ auditLog, principal: who, extra }),
      env: childEnv(requireEngineEnv()),
    });
  }
  async function call(who, name, args) {
    const result = await clients[who].client.callTool({ name, arguments: args }, undefined, CALL);
    return { isError: result.isError ?? false, text: resultText(result), structured: result.structuredContent };
  }
  async function ok(who, name, args) {
    const result = await call(who, name, args);
    assert.equal(result.isError, false, `${who}: ${name} ${JSON.stringify(args)} failed:\n${result.text}`);
    return result;
  }
  async function denied(who, name, args) {
    const result = await call(who, name, args);
    assert.equal(result.isError, true, `${who}: ${name} ${JSON.stringify(args)} was not denied:\n${result.text}`);
    assert.match(result.text, /\[owner-only\]/);
    return result.text;
  }

  before(async () => {
    tmp = await makeTempDir();
    await start(alice, [`team:${team}`]);
    await start(bob, []);
    await start(carol, [`team:${team}`]);
    await start('admin', ['admin']);
  });

  after(async () => {
    for (const c of Object.values(clients)) await c.stop().catch(() => {});
    for (const c of [container, `tenant-bob-${sfx}`]) await docker(['rm', '-f', c]).catch(() => {});
    await docker(['volume', 'rm', '-f', volume]).catch(() => {});
    if (tmp) await tmp.remove().catch(() => {});
  });

  test('the labels argument cannot forge the owner label', async () => {
    const forged = await call(alice, 'docker_run', {
      image: IMAGE, name: container, labels: { 'dockgate.owner': bob }, command: ['sleep', '300'], ...HARDENED,
    });
    assert.equal(forged.isError, true, forged.text);
    assert.match(forged.text, /reserved/);
  });

  test('alice runs a container and creates a volume, labelled with her name and team', async () => {
    await ok(alice, 'docker_run', { image: IMAGE, name: container, command: ['sleep', '300'], ...HARDENED });
    await ok(alice, 'docker_volume_create', { name: volume });
    const labels = JSON.parse(await docker(['inspect', '--format', '{{json .Config.Labels}}', container]));
    assert.equal(labels['dockgate.owner'], alice);
    assert.equal(labels['dockgate.team'], team);
  });

  test('bob cannot stop, rm, exec, read logs of or inspect it, nor rm or mount the volume', async () => {
    const stop = await denied(bob, 'docker_stop', { container });
    assert.match(stop, new RegExp(`you can only stop containers labelled dockgate.owner=${bob}`));
    assert.match(stop, /docker_ps lists yours/);
    assert.doesNotMatch(stop, new RegExp(alice), 'a denial names nobody else');
    await denied(bob, 'docker_rm', { container, force: true });
    await denied(bob, 'docker_exec', { container, command: ['id'] });
    await denied(bob, 'docker_logs', { container });
    await denied(bob, 'docker_inspect', { object: container });
    await denied(bob, 'docker_volume_rm', { volume });
    const mount = await call(bob, 'docker_run', {
      image: IMAGE, name: `tenant-bob-${sfx}`, volumes: [`${volume}:/data`], command: ['true'], ...HARDENED,
    });
    assert.equal(mount.isError, true, mount.text);
    assert.match(mount.text, /\[own-volumes-and-networks\].*\n.*\n.*mounts\[0\]\.source/);
    const state = await docker(['inspect', '--format', '{{.State.Running}}', container]);
    assert.equal(state.trim(), 'true');
  });

  test('a denial does not tell bob whether the container exists', async () => {
    const theirs = await denied(bob, 'docker_stop', { container });
    const unknown = `tenant-none-${sfx}`;
    const missing = await denied(bob, 'docker_stop', { container: unknown });
    assert.equal(missing.replaceAll(unknown, container), theirs);
  });

  test('bob does not see it in docker_ps or docker_volume_ls, even filtering for alice', async () => {
    const listed = await ok(bob, 'docker_ps', { all: true });
    assert.doesNotMatch(listed.text, new RegExp(container));
    const filtered = await ok(bob, 'docker_ps', { all: true, filter: `label=dockgate.owner=${alice}` });
    assert.equal(filtered.structured.containers.length, 0, filtered.text);
    assert.doesNotMatch((await ok(bob, 'docker_volume_ls', {})).text, new RegExp(volume));
  });

  test('alice sees and uses hers; her own filters still apply', async () => {
    assert.match((await ok(alice, 'docker_ps', {})).text, new RegExp(container));
    const exited = await ok(alice, 'docker_ps', { all: true, filter: 'status=exited' });
    assert.doesNotMatch(exited.text, new RegExp(container));
    await ok(alice, 'docker_logs', { container });
    const user = await ok(alice, 'docker_inspect', { object: container, format: '{{.Config.User}}' });
    assert.equal(user.text.trim(), '1000:1000');
    assert.match((await ok(alice, 'docker_exec', { container, command: ['id', '-u'] })).text, /1000/);
    assert.match((await ok(alice, 'docker_volume_ls', {})).text, new RegExp(volume));
  });

  test('carol, in alice\'s team, sees the container and reads its logs', async () => {
    assert.match((await ok(carol, 'docker_ps', {})).text, new RegExp(container));
    await ok(carol, 'docker_logs', { container });
  });

  test('the admin sees everything and stops and removes it', async () => {
    assert.match((await ok('admin', 'docker_ps', { all: true })).text, new RegExp(container));
    assert.match((await ok('admin', 'docker_volume_ls', {})).text, new RegExp(volume));
    await ok('admin', 'docker_stop', { container, timeout: 1 });
    await ok('admin', 'docker_rm', { container });
    await ok(alice, 'docker_volume_rm', { volume });
  });
});
