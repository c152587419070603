// Real MCP clients against dockgate: the current SDK and 1.12.0 (what Roo Code pins, which
// negotiates 2025-03-26 and so gets no structuredContent), over stdio, against the dev engine.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  SDKS,
  TOOL_NAMES,
  childEnv,
  docker,
  makeTempDir,
  randomSuffix,
  readAuditCalls,
  removeContainer,
  requireEngineEnv,
  resultText,
  serveArgs,
  startWithSdk,
} from './lib/dockgate.mjs';

const EXPECTED_PROTOCOL = { current: '2025-11-25', '1.12': '2025-03-26' };
const CALL = { timeout: 20_000 }; // per-request timeout of the SDK

for (const sdk of Object.keys(SDKS)) {
  describe(`MCP client ${SDKS[sdk].label}`, { timeout: 120_000 }, () => {
    const suffix = randomSuffix();
    const containerName = `dg-e2e-${suffix}`;
    const label = `dockgate.e2e=${suffix}`;
    let tmp;
    let auditLog;
    let dg;
    let containerCreated = false;
    const calls = []; // {tool, arguments} in the order they were made

    async function callTool(name, args) {
      calls.push({ tool: name, arguments: args });
      return dg.client.callTool({ name, arguments: args }, undefined, CALL);
    }

    before(async () => {
      const engine = requireEngineEnv();
      tmp = await makeTempDir();
      auditLog = join(tmp.dir, 'audit.jsonl');
      containerCreated = true; // from here on, after() removes it even if run fails halfway
      await docker([
        'run', '-d',
        '--label', 'dockgate.test=1',
        '--label', label,
        '--name', containerName,
        'dockgate-test/busybox:root', 'sleep', '300',
      ]);
      dg = await startWithSdk(sdk, { args: serveArgs({ auditLog }), env: childEnv(engine) });
    });

    after(async () => {
      const problems = [];
      if (dg) await dg.stop().catch((err) => problems.push(err));
      if (containerCreated) await removeContainer(containerName).catch((err) => problems.push(err));
      if (tmp) await tmp.remove().catch((err) => problems.push(err));
      if (problems.length) throw problems[0];
    });

    test('negotiates the expected protocol version with dockgate', () => {
      assert.equal(dg.client.getServerVersion()?.name, 'dockgate');
      const { request, reply } = dg.transport.handshake;
      assert.equal(request.params.protocolVersion, EXPECTED_PROTOCOL[sdk], 'the SDK asked for its latest version');
      assert.equal(reply.result.protocolVersion, EXPECTED_PROTOCOL[sdk], dg.stderr());
    });

    test('lists the three tools, each closed to unknown arguments', async () => {
      const { tools } = await dg.client.listTools(undefined, CALL);
      const byName = new Map(tools.map((t) => [t.name, t]));
      for (const name of TOOL_NAMES) {
        assert.ok(byName.has(name), `tool ${name} missing from ${[...byName.keys()].join(', ')}`);
        assert.equal(byName.get(name).inputSchema.type, 'object');
        assert.equal(byName.get(name).inputSchema.additionalProperties, false, `${name}.inputSchema.additionalProperties`);
      }
      // outputSchema exists from 2025-06-18 on; a client that sees one expects structuredContent.
      if (sdk === 'current') {
        assert.ok(byName.get('docker_ps').outputSchema, 'docker_ps.outputSchema');
      } else {
        for (const name of TOOL_NAMES) assert.equal(byName.get(name).outputSchema, undefined, `${name}.outputSchema at 2025-03-26`);
      }
    });

    test('docker_ps shows the running test container', async () => {
      const result = await callTool('docker_ps', {});
      assert.notEqual(result.isError, true, resultText(result));
      assert.match(resultText(result), new RegExp(`\\b${containerName}\\b`));
      if (sdk === 'current') {
        assert.ok(Array.isArray(result.structuredContent?.containers), 'structuredContent.containers');
        const mine = result.structuredContent.containers.find((c) => c.name === containerName);
        assert.ok(mine, `${containerName} not in structuredContent`);
        assert.equal(mine.state, 'running');
        assert.equal(mine.labels['dockgate.e2e'], suffix);
      } else {
        assert.equal(result.structuredContent, undefined, 'no structuredContent before 2025-06-18');
      }
    });

    test('docker_ps with a label filter shows exactly the test container', async () => {
      const result = await callTool('docker_ps', { all: true, filter: `label=${label}` });
      assert.notEqual(result.isError, true, resultText(result));
      const text = resultText(result);
      const rows = text.trim().split('\n').slice(1); // minus the header
      assert.equal(rows.length, 1, `expected one row:\n${text}`);
      assert.match(rows[0], new RegExp(`\\b${containerName}$`));
      if (sdk === 'current') {
        assert.deepEqual(result.structuredContent.containers.map((c) => c.name), [containerName]);
      } else {
        assert.equal(result.structuredContent, undefined);
      }
    });

    test('docker_inspect formats the container state', async () => {
      const result = await callTool('docker_inspect', { object: containerName, format: '{{.State.Status}}' });
      assert.notEqual(result.isError, true, resultText(result));
      assert.equal(resultText(result).trim(), 'running');
    });

    test('audits each call with an intent and an outcome record', async () => {
      const { code } = await dg.stop(); // the log is complete once dockgate exited
      assert.equal(code, 0, `dockgate exit code; stderr:\n${dg.stderr()}`);
      const sentClientName = dg.transport.handshake.request.params.clientInfo.name;
      assert.equal(sentClientName, `dockgate-e2e-${sdk}`);

      const audited = await readAuditCalls(auditLog);
      assert.equal(audited.length, calls.length, JSON.stringify(audited, null, 1));
      audited.forEach(({ call_id, intent, outcome }, i) => {
        assert.equal(intent.call_id, call_id);
        assert.equal(outcome.call_id, call_id);
        assert.equal(intent.tool, calls[i].tool);
        assert.deepEqual(intent.arguments, calls[i].arguments);
        assert.equal(intent.principal.name, 'e2e-user');
        assert.equal(intent.client.name, sentClientName);
        assert.equal(intent.decision, 'allow');
        assert.deepEqual(intent.violations, []);
        assert.match(intent.policy_sha256, /^[0-9a-f]{64}$/);
        assert.equal(outcome.result, 'ok');
        assert.equal(typeof outcome.duration_ms, 'number');
      });
    });
  });
}
