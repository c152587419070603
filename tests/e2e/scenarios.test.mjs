// tools.md's scenarios 1 to 5, end to end: a real MCP client (the SDK Roo Code pins, 1.12.0,
// and the current one) calls dockgate under policies/default.yaml, against the dev engine.
// Every name carries a random suffix; after() removes all it created, by name.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import {
  SDKS,
  childEnv,
  docker,
  makeTempDir,
  randomSuffix,
  readAuditCalls,
  requireEngineEnv,
  resultText,
  serveArgs,
  startWithSdk,
} from './lib/dockgate.mjs';

const CALL = { timeout: 60_000 };
// What the restricted default policy asks of a container: a pinned tag, a non-root user,
// every capability dropped, limits, no new privileges.
const IMAGE = 'dockgate-test/busybox:user';
const HARDENED = {
  user: '1000:1000',
  cap_drop: ['ALL'],
  memory: '64m',
  cpus: '0.5',
  pids_limit: 64,
  read_only: true,
  security_opt: ['no-new-privileges'],
};

for (const sdk of Object.keys(SDKS)) {
  describe(`tools.md scenarios with ${SDKS[sdk].label}`, { timeout: 240_000 }, () => {
    const sfx = randomSuffix();
    const names = {
      network: `app-network-${sfx}`,
      volume: `db-data-${sfx}`,
      db: `db-${sfx}`,
      web: `web-${sfx}`,
      done: [`job-a-${sfx}`, `job-b-${sfx}`],
      limited: `limited-${sfx}`,
    };
    let tmp;
    let dg;
    let auditLog;

    async function call(name, args) {
      return dg.client.callTool({ name, arguments: args }, undefined, CALL);
    }
    async function ok(name, args) {
      const result = await call(name, args);
      assert.equal(result.isError ?? false, false, `${name} ${JSON.stringify(args)} failed:\n${resultText(result)}`);
      return resultText(result);
    }

    before(async () => {
      const engine = requireEngineEnv();
      tmp = await makeTempDir();
      auditLog = join(tmp.dir, 'audit.jsonl');
      const secrets = join(tmp.dir, 'secrets');
      await import('node:fs/promises').then((fs) => fs.mkdir(secrets));
      await writeFile(join(secrets, 'app_secret'), 's3cr3t-value-e2e\n', { mode: 0o644 });
      dg = await startWithSdk(sdk, {
        args: serveArgs({ auditLog, extra: ['--secrets-dir', secrets] }),
        env: childEnv(engine),
      });
    });

    after(async () => {
      if (dg) await dg.stop().catch(() => {});
      for (const c of [names.db, names.web, names.limited, ...names.done]) {
        await docker(['rm', '-f', c]).catch(() => {});
      }
      await docker(['volume', 'rm', '-f', names.volume]).catch(() => {});
      await docker(['network', 'rm', names.network]).catch(() => {});
      if (tmp) await tmp.remove().catch(() => {});
    });

    test('1: web app with a database on one network; web reaches db by name', async () => {
      await ok('docker_network_create', { name: names.network, driver: 'bridge' });
      await ok('docker_volume_create', { name: names.volume });
      await ok('docker_run', {
        image: IMAGE, name: names.db, network: names.network,
        env: ['POSTGRES_DB=app'], volumes: [`${names.volume}:/data`],
        command: ['httpd', '-f', '-p', '5432', '-h', '/data'], ...HARDENED,
      });
      await ok('docker_run', {
        image: IMAGE, name: names.web, network: names.network,
        ports: ['127.0.0.1::8080'], env: [`DB_HOST=${names.db}`],
        command: ['httpd', '-f', '-p', '8080'], ...HARDENED,
      });
      // The db's httpd answers (404 for an empty folder): name resolution and TCP worked.
      const reached = await ok('docker_exec', {
        container: names.web,
        command: ['sh', '-c', `wget -q -O- http://${names.db}:5432/ 2>&1; true`],
      });
      assert.match(reached, /404/);
    });

    test('2: monitoring: ps, logs with tail, inspect', async () => {
      assert.match(await ok('docker_ps', {}), new RegExp(names.web));
      await ok('docker_logs', { container: names.web, tail: 50 });
      const inspected = await ok('docker_inspect', { object: names.web, type: 'container', format: '{{.State.Status}}' });
      assert.equal(inspected.trim(), 'running');
    });

    test('3: clean-up of exited containers found with status=exited', async () => {
      for (const name of names.done) {
        await ok('docker_run', { image: IMAGE, name, detach: false, command: ['true'], ...HARDENED });
      }
      const listed = await ok('docker_ps', { all: true, filter: ['status=exited', `name=job-`] });
      for (const name of names.done) assert.match(listed, new RegExp(name));
      for (const name of names.done) await ok('docker_rm', { container: name });
      const after = await ok('docker_ps', { all: true, filter: `name=job-a-${sfx}` });
      assert.doesNotMatch(after, new RegExp(names.done[0]));
    });

    test('4: troubleshooting: logs, networks as JSON, network list', async () => {
      await ok('docker_logs', { container: names.db, tail: 10 });
      const networks = await ok('docker_inspect', { object: names.web, format: '{{json .NetworkSettings.Networks}}' });
      assert.ok(JSON.parse(networks)[names.network], networks);
      assert.match(await ok('docker_network_ls', {}), new RegExp(names.network));
    });

    test('5: limits, healthcheck, secrets, user and capabilities show in inspect', async () => {
      await ok('docker_run', {
        image: IMAGE, name: names.limited, ...HARDENED, memory: '128m', cpus: '0.25',
        cap_add: ['NET_BIND_SERVICE'], secrets: ['app_secret'],
        healthcheck: { test: ['CMD', 'true'], interval: '5s', timeout: '2s', retries: 3 },
        command: ['sleep', '300'],
      });
      const format = '{{json .HostConfig.Memory}} {{json .HostConfig.NanoCpus}} {{json .Config.User}} '
        + '{{json .HostConfig.CapDrop}} {{json .HostConfig.CapAdd}} {{json .Config.Healthcheck.Retries}}';
      const shown = await ok('docker_inspect', { object: names.limited, format });
      assert.equal(shown, '134217728 250000000 "1000:1000" ["ALL"] ["NET_BIND_SERVICE"] 3');
      const secret = await ok('docker_exec', { container: names.limited, command: ['cat', '/run/secrets/app_secret'] });
      assert.match(secret, /s3cr3t-value-e2e/);
    });

    test('every call left intent and outcome records, and no secret value', async () => {
      await dg.stop();
      const calls = await readAuditCalls(auditLog);
      assert.ok(calls.length >= 15, `only ${calls.length} calls audited`);
      const raw = await import('node:fs/promises').then((fs) => fs.readFile(auditLog, 'utf8'));
      assert.doesNotMatch(raw, /s3cr3t-value-e2e/);
    });
  });
}
