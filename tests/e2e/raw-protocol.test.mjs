// The MCP stdio framing and JSON-RPC edge cases, spoken by hand: one JSON message per line in,
// one per line out, replies matched by id. The engine address is dead on purpose: none of these
// calls may need the engine, and any that reached it would say "cannot reach engine".
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  DEAD_ENGINE,
  childEnv,
  makeTempDir,
  readAuditCalls,
  serveArgs,
  spawnRaw,
} from './lib/dockgate.mjs';

describe('raw JSON-RPC over stdio', { timeout: 60_000 }, () => {
  let tmp;
  let auditLog;
  let dg;

  before(async () => {
    tmp = await makeTempDir();
    auditLog = join(tmp.dir, 'audit.jsonl');
    dg = spawnRaw({
      args: serveArgs({ auditLog, extra: ['--docker-host', DEAD_ENGINE, '--allow-plain-tcp'] }),
      env: childEnv({}),
    });
    const reply = await dg.initialize('2025-06-18');
    assert.equal(reply.result.protocolVersion, '2025-06-18');
    assert.equal(reply.result.serverInfo.name, 'dockgate');
  });

  after(async () => {
    dg?.kill(); // only if a test failed before stdin was closed
    await tmp?.remove();
  });

  /** The text of a tools/call result, asserting its shape. */
  function toolText(reply) {
    assert.ok(reply.result, `expected a result: ${JSON.stringify(reply)}`);
    assert.equal(reply.result.content.length, 1);
    assert.equal(reply.result.content[0].type, 'text');
    return reply.result.content[0].text;
  }

  test('malformed JSON gets a parse error with id null', async () => {
    dg.writeLine('{"jsonrpc":"2.0","id":7,"method":');
    const reply = await dg.waitFor((m) => m.error?.code === -32700, 'a parse error');
    assert.equal(reply.id, null);
    assert.equal(reply.jsonrpc, '2.0');
  });

  test('an unknown method gets method not found', async () => {
    const reply = await dg.request(1, 'resources/list', {});
    assert.equal(reply.error?.code, -32601, JSON.stringify(reply));
  });

  test('an unknown tool is a tool error', async () => {
    const reply = await dg.request(2, 'tools/call', { name: 'docker_rmrf', arguments: {} });
    const text = toolText(reply);
    assert.equal(reply.result.isError, true);
    assert.match(text, /unknown tool/);
  });

  test('an argument of the wrong type is a tool error naming the argument', async () => {
    const reply = await dg.request(3, 'tools/call', { name: 'docker_ps', arguments: { all: 'yes' } });
    const text = toolText(reply);
    assert.equal(reply.result.isError, true);
    assert.match(text, /'all'/);
    assert.ok(!text.includes('cannot reach engine'), `invalid arguments reached the engine: ${text}`);
  });

  test('an oversized line is refused and the next line is still answered', async () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    dg.writeLine(JSON.stringify({ jsonrpc: '2.0', id: 'huge', method: 'ping', params: { huge } }));
    const next = await dg.request('after-huge', 'ping');
    assert.deepEqual(next.result, {});
    const refusal = await dg.waitFor((m) => m.error?.code === -32600 && /too large/.test(m.error.message), 'a too-large error', 1000);
    assert.ok(refusal.id === null || refusal.id === 'huge', `id ${JSON.stringify(refusal.id)}`);
  });

  test('string and number ids are echoed exactly', async () => {
    const a = await dg.request('abc', 'ping');
    assert.strictEqual(a.id, 'abc');
    const b = await dg.request(42, 'ping');
    assert.strictEqual(b.id, 42);
    const rawLines = dg.lines.filter((l) => /"id":(?:"abc"|42)[,}]/.test(l));
    assert.equal(rawLines.length, 2, `the ids on the wire: ${rawLines.join('\n')}`);
  });

  test('a second initialize is refused', async () => {
    const reply = await dg.request(5, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'again', version: '1' },
    });
    assert.ok(reply.error, `expected an error: ${JSON.stringify(reply)}`);
    assert.equal(reply.result, undefined);
    // The session still works.
    assert.deepEqual((await dg.request(6, 'ping')).result, {});
  });

  test('exits by itself with code 0 when stdin is closed', async () => {
    const { code, signal } = await dg.closeStdin();
    assert.equal(signal, null, dg.stderr());
    assert.equal(code, 0, dg.stderr());
  });

  test('stdout held nothing but JSON-RPC lines', () => {
    assert.equal(dg.trailing(), '', 'stdout ends with a newline');
    assert.ok(dg.lines.length >= 10, `${dg.lines.length} lines`);
    for (const line of dg.lines) {
      let msg;
      assert.doesNotThrow(() => (msg = JSON.parse(line)), `not JSON: ${line.slice(0, 200)}`);
      assert.equal(msg.jsonrpc, '2.0', line.slice(0, 200));
    }
  });

  test('the audit log has intent and outcome for the unknown tool and the invalid call', async () => {
    // Read after dockgate exited, so the log is complete.
    const calls = await readAuditCalls(auditLog);
    assert.deepEqual(calls.map((c) => c.intent.tool), ['docker_rmrf', 'docker_ps'], JSON.stringify(calls, null, 1));
    const [unknown, invalid] = calls;
    for (const { intent } of calls) {
      assert.equal(intent.principal.name, 'e2e-user');
      assert.equal(intent.client.name, 'dockgate-e2e-raw');
    }
    assert.equal(unknown.intent.decision, 'unknown_tool');
    assert.equal(unknown.outcome.result, 'unknown_tool');
    assert.equal(invalid.intent.decision, 'invalid');
    assert.deepEqual(invalid.intent.arguments, { all: 'yes' });
    assert.equal(invalid.outcome.result, 'invalid');
  });
});
