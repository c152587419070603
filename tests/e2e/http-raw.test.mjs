// The team server's HTTP rules, request by request: authentication (401, metadata, 429),
// Host/Origin (403), sessions (400, 404, DELETE, binding to the user), protocol versions,
// and the media-type and size checks (405, 406, 415, 413, 202). Raw HTTPS, no SDK.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { DEFAULT_POLICY, childEnv, makeTempDir, readAuditLog } from './lib/dockgate.mjs';
import { addToken, makeTestCerts, rawRequest, rawTlsExchange, runDockgate, startTeamServer } from './lib/team-server.mjs';

let tmp;
let certs;
let ca;
let usersFile;
let tokens;

before(async () => {
  tmp = await makeTempDir();
  certs = await makeTestCerts(join(tmp.dir, 'certs'));
  ca = await readFile(certs.ca, 'utf8');
  usersFile = join(tmp.dir, 'users.yaml');
  tokens = { alice: await addToken(usersFile, 'alice', ['dev']), bob: await addToken(usersFile, 'bob') };
});

after(async () => {
  await tmp?.remove();
});

/** Starts a server (no engine needed: these tests never call a tool). */
async function start(extra = [], auditName = 'audit.jsonl') {
  const auditLog = join(tmp.dir, auditName);
  const server = await startTeamServer({
    args: ['serve', '--policy', DEFAULT_POLICY, '--audit-log', auditLog, '--docker-host', 'tcp://127.0.0.1:1', '--allow-plain-tcp',
      '--http', '127.0.0.1:0', '--tls-cert', certs.cert, '--tls-key', certs.key, '--users-file', usersFile, ...extra],
    env: childEnv({}),
  });
  return { ...server, auditLog };
}

const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

function initializeBody(protocolVersion = '2025-03-26', id = 1) {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
}

describe('team server HTTP rules', { timeout: 60_000 }, () => {
  let server;
  const post = (token, body, headers = {}) =>
    rawRequest(server.url, { ca, body, headers: { ...JSON_HEADERS, Authorization: `Bearer ${token}`, ...headers } });

  async function openSession(token = tokens.alice, version = '2025-03-26') {
    const reply = await post(token, initializeBody(version));
    assert.equal(reply.status, 200, reply.text);
    const id = reply.headers['mcp-session-id'];
    assert.ok(id, 'initialize returns Mcp-Session-Id');
    const ack = await post(token, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), { 'Mcp-Session-Id': id });
    assert.equal(ack.status, 202, 'a notification gets 202');
    assert.equal(ack.text, '', '202 has no body');
    return { id, reply };
  }

  before(async () => {
    server = await start();
  });
  after(async () => {
    const { code } = await server.stop();
    assert.equal(code, 0, server.stderr());
  });

  test('negotiates 2025-03-26, 2025-06-18 and 2025-11-25, with and without the version header', async () => {
    for (const version of ['2025-03-26', '2025-06-18', '2025-11-25']) {
      const { id, reply } = await openSession(tokens.alice, version);
      assert.equal(reply.json.result.protocolVersion, version);
      assert.match(reply.headers['content-type'], /^application\/json/);
      const headers = { 'Mcp-Session-Id': id };
      if (version !== '2025-03-26') headers['MCP-Protocol-Version'] = version;
      const list = await post(tokens.alice, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), headers);
      assert.equal(list.status, 200, list.text);
      assert.ok(list.json.result.tools.length > 0);
    }
  });

  test('401 without a token, with WWW-Authenticate pointing at the resource metadata', async () => {
    const reply = await rawRequest(server.url, { ca, body: initializeBody(), headers: JSON_HEADERS });
    assert.equal(reply.status, 401);
    const challenge = reply.headers['www-authenticate'];
    assert.match(challenge, /^Bearer /);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)[1];
    const metadata = await rawRequest(metadataUrl, { ca, method: 'GET' });
    assert.equal(metadata.status, 200);
    assert.equal(metadata.json.resource, new URL('/mcp', server.url).href);
    const wrong = await post('dg_not-a-real-token', initializeBody());
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers['www-authenticate'], /error="invalid_token"/);
    const basic = await rawRequest(server.url, { ca, body: initializeBody(), headers: { ...JSON_HEADERS, Authorization: 'Basic YTpi' } });
    assert.equal(basic.status, 401);
  });

  test('403 for a foreign Host or Origin', async () => {
    const host = await post(tokens.alice, initializeBody(), { Host: 'evil.example' });
    assert.equal(host.status, 403);
    const origin = await post(tokens.alice, initializeBody(), { Origin: 'https://evil.example' });
    assert.equal(origin.status, 403);
    const body = initializeBody();
    const twoHosts = await rawTlsExchange(server.url,
      `POST /mcp HTTP/1.1\r\nHost: ${server.url.host}\r\nHost: ${server.url.host}\r\n` +
      `Authorization: Bearer ${tokens.alice}\r\nContent-Type: application/json\r\n` +
      `Accept: application/json, text/event-stream\r\nConnection: close\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, ca);
    assert.equal(twoHosts, 403, 'two Host headers');
    const localhost = await post(tokens.alice, initializeBody(), { Host: `localhost:${server.url.port}` });
    assert.equal(localhost.status, 200, 'localhost:PORT is allowed on loopback');
  });

  test('400 without a session id, 404 for an unknown one, 400 for an unsupported protocol version', async () => {
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    assert.equal((await post(tokens.alice, list)).status, 400);
    assert.equal((await post(tokens.alice, list, { 'Mcp-Session-Id': 'no-such-session' })).status, 404);
    const { id } = await openSession();
    const bad = await post(tokens.alice, list, { 'Mcp-Session-Id': id, 'MCP-Protocol-Version': '1999-01-01' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /MCP-Protocol-Version/);
  });

  test('a session is refused to another user\'s token', async () => {
    const { id } = await openSession(tokens.alice);
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    assert.equal((await post(tokens.bob, list, { 'Mcp-Session-Id': id })).status, 404);
    assert.equal((await post(tokens.alice, list, { 'Mcp-Session-Id': id })).status, 200, 'still alice\'s');
  });

  test('DELETE ends the session; it is 404 afterwards', async () => {
    const { id } = await openSession();
    const headers = { Authorization: `Bearer ${tokens.alice}`, 'Mcp-Session-Id': id };
    const bobDelete = await rawRequest(server.url, { ca, method: 'DELETE', headers: { ...headers, Authorization: `Bearer ${tokens.bob}` } });
    assert.equal(bobDelete.status, 404);
    const ended = await rawRequest(server.url, { ca, method: 'DELETE', headers });
    assert.ok(ended.status === 200 || ended.status === 204, `DELETE -> ${ended.status}`);
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    assert.equal((await post(tokens.alice, list, { 'Mcp-Session-Id': id })).status, 404);
  });

  test('405 for GET (no server stream), 406, 415, 400 for a bad body, 413 for an oversized one', async () => {
    const get = await rawRequest(server.url, { ca, method: 'GET', headers: { Authorization: `Bearer ${tokens.alice}`, Accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    assert.match(get.headers.allow, /POST/);
    assert.equal((await post(tokens.alice, initializeBody(), { Accept: 'application/json' })).status, 406);
    assert.equal((await post(tokens.alice, initializeBody(), { Accept: 'text/html' })).status, 406);
    assert.equal((await post(tokens.alice, initializeBody(), { 'Content-Type': 'text/plain' })).status, 415);
    const notJson = await post(tokens.alice, '{"jsonrpc": ');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json.error.code, -32700);
    const deep = await post(tokens.alice, '['.repeat(100000));
    assert.equal(deep.status, 400);
    const big = await post(tokens.alice, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(5 * 1024 * 1024) } }));
    assert.equal(big.status, 413);
    const hugeHeader = await post(tokens.alice, initializeBody(), { 'X-Pad': 'y'.repeat(64 * 1024) });
    assert.equal(hugeHeader.status, 431);
    const unknownPath = await rawRequest(new URL('/other', server.url), { ca, method: 'GET' });
    assert.equal(unknownPath.status, 404);
  });

  test('a session answers a batch under 2025-03-26', async () => {
    const { id } = await openSession();
    const batch = JSON.stringify([
      { jsonrpc: '2.0', id: 'a', method: 'ping' },
      { jsonrpc: '2.0', id: 'b', method: 'tools/list' },
    ]);
    const reply = await post(tokens.alice, batch, { 'Mcp-Session-Id': id });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json.map((m) => m.id).sort(), ['a', 'b']);
  });

  test('failed authentications are audited without the token', async () => {
    const records = (await readAuditLog(server.auditLog)).filter((r) => r.stage === 'auth_failure');
    assert.ok(records.length >= 3, JSON.stringify(records));
    for (const record of records) {
      assert.equal(record.remote_address, '127.0.0.1');
      assert.ok(record.reason && record.time);
      assert.ok(!JSON.stringify(record).includes('dg_not-a-real-token'));
    }
    // Refusals for where a request came from, or whose session it used, are audited too.
    const reasons = records.map((r) => r.reason).join('\n');
    assert.match(reasons, /forbidden Host 'evil\.example'/);
    assert.match(reasons, /forbidden Origin 'https:\/\/evil\.example'/);
    assert.match(reasons, /'bob' presented session http-[0-9a-f]{16}, which belongs to 'alice'/);
    for (const token of Object.values(tokens)) assert.ok(!reasons.includes(token));
  });
});

test('failed authentications from one address are rate-limited with 429 and Retry-After', { timeout: 30_000 }, async () => {
  const server = await start(['--auth-failures-per-minute', '3'], 'audit-rate.jsonl');
  try {
    const headers = { ...JSON_HEADERS, Authorization: 'Bearer dg_wrong' };
    for (let i = 0; i < 3; i++) {
      assert.equal((await rawRequest(server.url, { ca, body: initializeBody(), headers })).status, 401);
    }
    const limited = await rawRequest(server.url, { ca, body: initializeBody(), headers: { ...headers, Authorization: `Bearer ${tokens.alice}` } });
    assert.equal(limited.status, 429);
    assert.match(limited.headers['retry-after'], /^[1-9][0-9]*$/);
  } finally {
    await server.stop();
  }
});

test('an idle session expires (--session-idle-timeout) and is then 404', { timeout: 30_000 }, async () => {
  const server = await start(['--session-idle-timeout', '1'], 'audit-idle.jsonl');
  try {
    const headers = { ...JSON_HEADERS, Authorization: `Bearer ${tokens.alice}` };
    const opened = await rawRequest(server.url, { ca, body: initializeBody(), headers });
    const id = opened.headers['mcp-session-id'];
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    assert.equal((await rawRequest(server.url, { ca, body: list, headers: { ...headers, 'Mcp-Session-Id': id } })).status, 200);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await rawRequest(server.url, { ca, body: list, headers: { ...headers, 'Mcp-Session-Id': id } })).status, 404);
  } finally {
    await server.stop();
  }
});

test('notifications/cancelled answers the POST still waiting for that call', { timeout: 30_000 }, async () => {
  // An "engine" that accepts and never answers, so docker_ps stays in flight.
  const sockets = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  const auditLog = join(tmp.dir, 'audit-cancel.jsonl');
  const server = await startTeamServer({
    args: ['serve', '--policy', DEFAULT_POLICY, '--audit-log', auditLog, '--docker-host',
      `tcp://127.0.0.1:${silent.address().port}`, '--allow-plain-tcp', '--http', '127.0.0.1:0',
      '--tls-cert', certs.cert, '--tls-key', certs.key, '--users-file', usersFile],
    env: childEnv({}),
  });
  try {
    const headers = { ...JSON_HEADERS, Authorization: `Bearer ${tokens.alice}` };
    const opened = await rawRequest(server.url, { ca, body: initializeBody(), headers });
    const session = { ...headers, 'Mcp-Session-Id': opened.headers['mcp-session-id'] };
    const started = Date.now();
    const call = rawRequest(server.url, { ca, headers: session,
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'docker_ps', arguments: {} } }) });
    await new Promise((r) => setTimeout(r, 500));
    const cancel = await rawRequest(server.url, { ca, headers: session,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7, reason: 'test' } }) });
    assert.equal(cancel.status, 202);
    const answered = await call;
    assert.ok(Date.now() - started < 10_000, 'answered at once, not at the engine timeout');
    assert.equal(answered.json.id, 7);
    assert.match(answered.json.error.message, /cancelled/);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
    await server.stop();
  }
});

test('SIGTERM lets a call in flight finish and answer, then exits 0', { timeout: 30_000 }, async () => {
  const sockets = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  const server = await startTeamServer({
    args: ['serve', '--policy', DEFAULT_POLICY, '--audit-log', join(tmp.dir, 'audit-term.jsonl'),
      '--docker-host', `tcp://127.0.0.1:${silent.address().port}`, '--allow-plain-tcp', '--http', '127.0.0.1:0',
      '--tls-cert', certs.cert, '--tls-key', certs.key, '--users-file', usersFile],
    env: childEnv({}),
  });
  try {
    const headers = { ...JSON_HEADERS, Authorization: `Bearer ${tokens.alice}` };
    const opened = await rawRequest(server.url, { ca, body: initializeBody(), headers });
    const session = { ...headers, 'Mcp-Session-Id': opened.headers['mcp-session-id'] };
    const call = rawRequest(server.url, { ca, headers: session,
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'docker_ps', arguments: {} } }) });
    await new Promise((r) => setTimeout(r, 500));
    const exited = server.stop(); // SIGTERM while the call waits for the engine
    await new Promise((r) => setTimeout(r, 500));
    for (const socket of sockets) socket.destroy(); // the engine hangs up: the call ends
    const answered = await call;
    assert.equal(answered.status, 200, answered.text);
    assert.equal(answered.json.id, 9);
    assert.equal(answered.json.result.isError, true, 'the engine error, as a tool result');
    assert.deepEqual(await exited, { code: 0, signal: null }, server.stderr());
  } finally {
    silent.close();
    await server.stop();
  }
});

test('refuses to start without TLS off loopback, or with a bad users file', { timeout: 30_000 }, async () => {
  const base = ['serve', '--policy', DEFAULT_POLICY, '--audit-log', join(tmp.dir, 'refused.jsonl'), '--docker-host', 'tcp://127.0.0.1:1', '--allow-plain-tcp'];
  const plain = await runDockgate([...base, '--http', '0.0.0.0:0', '--http-insecure-loopback', '--users-file', usersFile], childEnv({}));
  assert.equal(plain.code, 2);
  assert.match(plain.stderr, /only allowed on a loopback address/);
  const noCert = await runDockgate([...base, '--http', '127.0.0.1:0', '--users-file', usersFile], childEnv({}));
  assert.equal(noCert.code, 2);
  assert.match(noCert.stderr, /--tls-cert and --tls-key are required/);
  const noUsers = await runDockgate([...base, '--http', '127.0.0.1:0', '--tls-cert', certs.cert, '--tls-key', certs.key], childEnv({}));
  assert.equal(noUsers.code, 2);
  assert.match(noUsers.stderr, /--users-file is required/);
  const badPort = await runDockgate([...base, '--http', '127.0.0.1:99999', '--users-file', usersFile], childEnv({}));
  assert.equal(badPort.code, 2);
  const missingUsers = await runDockgate([...base, '--http', '127.0.0.1:0', '--tls-cert', certs.cert, '--tls-key', certs.key, '--users-file', join(tmp.dir, 'none.yaml')], childEnv({}));
  assert.equal(missingUsers.code, 2);
  assert.match(missingUsers.stderr, /users file/);
  const wrongKey = await runDockgate([...base, '--http', '127.0.0.1:0', '--tls-cert', certs.cert, '--tls-key', certs.cert, '--users-file', usersFile], childEnv({}));
  assert.equal(wrongKey.code, 2);
  assert.match(wrongKey.stderr, /TLS key/);
});

test('plain HTTP on loopback only behind --http-insecure-loopback', { timeout: 30_000 }, async () => {
  const auditLog = join(tmp.dir, 'plain.jsonl');
  const server = await startTeamServer({
    args: ['serve', '--policy', DEFAULT_POLICY, '--audit-log', auditLog, '--docker-host', 'tcp://127.0.0.1:1', '--allow-plain-tcp',
      '--http', '127.0.0.1:0', '--http-insecure-loopback', '--users-file', usersFile],
    env: childEnv({}),
  });
  try {
    assert.equal(server.url.protocol, 'http:');
    const reply = await rawRequest(server.url, { body: initializeBody(), headers: { ...JSON_HEADERS, Authorization: `Bearer ${tokens.alice}` } });
    assert.equal(reply.status, 200, reply.text);
  } finally {
    await server.stop();
  }
});
