// A bounded load on the team server: 20 sessions x 50 docker_ps calls at once over HTTPS
// (current SDK). Every call is answered, and the audit log holds exactly that many calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_POLICY, childEnv, makeTempDir, readAuditCalls, requireEngineEnv } from './lib/dockgate.mjs';
import { addToken, makeTestCerts, startTeamServer, trustTestCa } from './lib/team-server.mjs';

const SESSIONS = 20;
const CALLS_PER_SESSION = 50;

test(`${SESSIONS} sessions x ${CALLS_PER_SESSION} calls, all answered and audited`, { timeout: 300_000 }, async () => {
  const engine = requireEngineEnv();
  const tmp = await makeTempDir();
  let server;
  const clients = [];
  try {
    const auditLog = join(tmp.dir, 'audit.jsonl');
    const certs = await makeTestCerts(join(tmp.dir, 'certs'));
    await trustTestCa(certs.ca, { connections: 64 }); // below the server's 128
    const usersFile = join(tmp.dir, 'users.yaml');
    const token = await addToken(usersFile, 'loader', ['dev']);
    server = await startTeamServer({
      args: ['serve', '--policy', DEFAULT_POLICY, '--audit-log', auditLog, '--http', '127.0.0.1:0', '--tls-cert', certs.cert,
        '--tls-key', certs.key, '--users-file', usersFile],
      env: childEnv(engine),
    });
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    for (let i = 0; i < SESSIONS; i++) {
      const client = new Client({ name: `load-${i}`, version: '0' }, { capabilities: {} });
      await client.connect(new StreamableHTTPClientTransport(server.url, {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }));
      clients.push(client);
    }
    const started = Date.now();
    const results = await Promise.all(clients.flatMap((client) =>
      Array.from({ length: CALLS_PER_SESSION }, () =>
        client.callTool({ name: 'docker_ps', arguments: {} }, undefined, { timeout: 240_000 }))));
    const seconds = (Date.now() - started) / 1000;
    assert.equal(results.length, SESSIONS * CALLS_PER_SESSION);
    for (const result of results) assert.equal(result.isError, false, JSON.stringify(result));
    for (const client of clients) await client.close();
    clients.length = 0;
    const { code } = await server.stop();
    assert.equal(code, 0, server.stderr());
    const calls = await readAuditCalls(auditLog);
    assert.equal(new Set(calls.map((c) => c.call_id)).size, SESSIONS * CALLS_PER_SESSION);
    assert.equal(new Set(calls.map((c) => c.intent.session)).size, SESSIONS);
    console.log(`# ${results.length} calls in ${seconds.toFixed(1)} s`);
  } finally {
    for (const client of clients) await client.close().catch(() => {});
    await server?.stop();
    await tmp.remove();
  }
});
