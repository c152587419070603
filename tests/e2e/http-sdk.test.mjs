// The team server (`dockgate serve --http`) with the official SDK's StreamableHTTPClientTransport:
// the current SDK and 1.12.0 (Roo Code's pin), over HTTPS with a test CA and a bearer token.
// The principal, roles and remote address reach the audit log.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  DEFAULT_POLICY, SDKS, childEnv, docker, makeTempDir, randomSuffix, readAuditCalls, requireEngineEnv, resultText,
} from './lib/dockgate.mjs';
import { addToken, makeTestCerts, startTeamServer, trustTestCa } from './lib/team-server.mjs';

const EXPECTED_PROTOCOL = { current: '2025-11-25', '1.12': '2025-03-26' };
const CALL = { timeout: 20_000 };

let tmp;
let auditLog;
let server;
let aliceToken;

before(async () => {
  const engine = requireEngineEnv();
  tmp = await makeTempDir();
  auditLog = join(tmp.dir, 'audit.jsonl');
  const certs = await makeTestCerts(join(tmp.dir, 'certs'));
  await trustTestCa(certs.ca);
  const usersFile = join(tmp.dir, 'users.yaml');
  aliceToken = await addToken(usersFile, 'alice', ['developer', 'ops']);
  server = await startTeamServer({
    args: ['serve', '--policy', DEFAULT_POLICY, '--audit-log', auditLog, '--http', '127.0.0.1:0', '--tls-cert', certs.cert,
      '--tls-key', certs.key, '--users-file', usersFile],
    env: childEnv(engine),
  });
});

after(async () => {
  if (server) {
    const { code } = await server.stop();
    assert.equal(code, 0, `dockgate should exit 0 on SIGTERM:\n${server.stderr()}`);
  }
  await tmp?.remove();
});

async function connect(sdk, token) {
  const { pkg } = SDKS[sdk];
  const { Client } = await import(`${pkg}/client/index.js`);
  const { StreamableHTTPClientTransport } = await import(`${pkg}/client/streamableHttp.js`);
  const transport = new StreamableHTTPClientTransport(server.url, {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const sent = [];
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    sent.push(message);
    return send(message, options);
  };
  const client = new Client({ name: `dockgate-e2e-http-${sdk}`, version: '0.0.1' }, { capabilities: {} });
  await client.connect(transport, { timeout: 10_000 });
  return { client, transport, sent };
}

for (const sdk of Object.keys(SDKS)) {
  describe(`team server with ${SDKS[sdk].label}`, { timeout: 60_000 }, () => {
    let dg;
    before(async () => {
      dg = await connect(sdk, aliceToken);
    });
    after(async () => {
      await dg?.client.close();
    });

    test('initializes over HTTPS and negotiates the SDK\'s version', () => {
      assert.equal(dg.client.getServerVersion()?.name, 'dockgate');
      assert.match(dg.transport.sessionId, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit base64url session id');
      const init = dg.sent.find((m) => m.method === 'initialize');
      assert.equal(init.params.protocolVersion, EXPECTED_PROTOCOL[sdk]);
    });

    test('lists the tools', async () => {
      const { tools } = await dg.client.listTools(undefined, CALL);
      assert.ok(tools.some((t) => t.name === 'docker_ps'), tools.map((t) => t.name).join(', '));
    });

    test('calls docker_ps through the gate', async () => {
      const result = await dg.client.callTool({ name: 'docker_ps', arguments: { all: true } }, undefined, CALL);
      assert.equal(result.isError, false, resultText(result));
      assert.match(resultText(result), /CONTAINER ID/);
    });

    test('answers concurrent calls on one session', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => dg.client.callTool({ name: 'docker_ps', arguments: {} }, undefined, CALL)),
      );
      for (const result of results) assert.equal(result.isError, false, resultText(result));
    });

    test('tools.md scenario 1 (network, volume, db and web; web reaches db by name), then logs', { timeout: 60_000 }, async () => {
      const sfx = randomSuffix();
      const names = { network: `app-network-${sfx}`, volume: `db-data-${sfx}`, db: `db-${sfx}`, web: `web-${sfx}` };
      const ok = async (name, args) => {
        const result = await dg.client.callTool({ name, arguments: args }, undefined, { timeout: 30_000 });
        assert.equal(result.isError ?? false, false, `${name} failed:\n${resultText(result)}`);
        return resultText(result);
      };
      // The restricted default policy fills cap_drop ALL, no-new-privileges and limits itself.
      const run = { image: 'dockgate-test/busybox:user', user: '1000:1000', read_only: true, network: names.network };
      try {
        await ok('docker_network_create', { name: names.network, driver: 'bridge' });
        await ok('docker_volume_create', { name: names.volume });
        await ok('docker_run', {
          ...run, name: names.db, env: ['POSTGRES_DB=app'], volumes: [`${names.volume}:/data`],
          command: ['httpd', '-f', '-v', '-p', '5432', '-h', '/data'],
        });
        await ok('docker_run', {
          ...run, name: names.web, ports: ['127.0.0.1::8080'], env: [`DB_HOST=${names.db}`],
          command: ['httpd', '-f', '-p', '8080'],
        });
        const reached = await ok('docker_exec', {
          container: names.web, command: ['sh', '-c', `wget -q -O- http://${names.db}:5432/ 2>&1; true`],
        });
        assert.match(reached, /404/, 'web reached db by name');
        // httpd -v logs each request: the one web just made shows in db's logs.
        const logs = await ok('docker_logs', { container: names.db, tail: 20 });
        assert.match(logs, /GET|404|request/i, logs);
      } finally {
        for (const c of [names.web, names.db]) await docker(['rm', '-f', c]).catch(() => {});
        await docker(['volume', 'rm', '-f', names.volume]).catch(() => {});
        await docker(['network', 'rm', names.network]).catch(() => {});
      }
    });

    test('ends the session with DELETE (terminateSession)', async () => {
      const other = await connect(sdk, aliceToken);
      const id = other.transport.sessionId;
      await other.transport.terminateSession();
      await assert.rejects(other.client.listTools(undefined, CALL), /404|not found|session/i, `session ${id} should be gone`);
      await other.client.close();
    });
  });
}

test('the audit log names the user, roles, session and remote address of each call', async () => {
  const calls = (await readAuditCalls(auditLog)).filter((c) => c.intent.tool === 'docker_ps');
  assert.ok(calls.length >= 12, `expected the docker_ps calls, got ${calls.length}`);
  for (const { intent, outcome } of calls) {
    assert.deepEqual(intent.principal, { name: 'alice', roles: ['developer', 'ops'] });
    assert.equal(intent.remote_address, '127.0.0.1');
    assert.match(intent.session, /^http-[0-9a-f]{16}$/);
    assert.equal(outcome.result, 'ok');
  }
  assert.ok(!JSON.stringify(calls).includes(aliceToken), 'the token never reaches the audit log');
});
