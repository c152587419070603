#!/usr/bin/env node
// The team server under load (issue 6): N concurrent MCP sessions x M read-only tool calls
// over HTTPS on loopback, against the same calls made directly on the engine in the same run.
//
//   cd tests/e2e && npm ci && cd ../..                       # once: the SDK and undici
//   eval "$(scripts/dev-engine.sh env)"                      # the engine (DOCKER_HOST, ...)
//   DOCKGATE_BIN=build/dockgate node bench/team-load.mjs [--sessions 50] [--calls 200]
//
// What it does, all in one process (the load generator) and one run:
//   1. engine baselines: N workers x M calls straight to the Engine API (GET /containers/json,
//      /images/json, /volumes, /networks, round-robin), over mutual TLS with the client
//      certificate in DOCKER_CERT_PATH: once with a new TLS connection per call (as dockgate
//      itself talks to the engine) and once over keep-alive connections;
//   2. dockgate: test certificates, one user and token per session (`dockgate token add`),
//      `dockgate serve --http 127.0.0.1:0` with policies/default.yaml and a fresh audit log;
//      N sessions of the official SDK's StreamableHTTPClientTransport (tests/e2e's current
//      @modelcontextprotocol/sdk), all calling at once, each making M calls in sequence:
//      docker_ps, docker_images, docker_volume_ls, docker_network_ls round-robin, {} arguments;
//   3. the audit log after SIGTERM: exactly N x M call ids, each with one intent (decision
//      allow) and one outcome (result ok), of the right session, user and tool; no other
//      records; seq contiguous from 1 and each prev the SHA-256 of the line before.
// Prints a table (calls, errors, calls/s, p50, p90, p99, max) and exits 1 on any failed call
// or audit mismatch, 2 on bad usage.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { createSecureContext } from 'node:tls';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const E2E = join(REPO, 'tests/e2e');
const SDK_DIR = join(E2E, 'node_modules/@modelcontextprotocol/sdk');

const TOOLS = ['docker_ps', 'docker_images', 'docker_volume_ls', 'docker_network_ls'];
// What dockgate sends the engine for each tool called with {} (src/gate/engine_executor.cpp,
// src/gate/volumes_networks.cpp), below the negotiated /vX.Y prefix.
const ENGINE_PATHS = ['/containers/json?all=0', '/images/json?all=0', '/volumes', '/networks'];
const HIGHEST_API = [1, 41]; // dockgate speaks up to 1.41 (src/engine/api_version.hpp)

function usage(message) {
  if (message) process.stderr.write(`team-load: ${message}\n`);
  process.stderr.write(`usage: node bench/team-load.mjs [--sessions N] [--calls M] [--users K] [--keep]
  --sessions N  concurrent MCP sessions, and engine workers for the baseline (default 50, at most 64:
                the team server's session limit)
  --calls M     calls per session, made one after the other (default 200)
  --users K     distinct users (tokens); session i uses user i mod K (default: one per session)
  --keep        keep the temp dir (audit log, users file, certificates) and print its path
  --json        also print the figures as one JSON line
  --engine-pid P  also report the CPU time of process P (dockerd) during each run
Needs the engine variables (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH: scripts/dev-engine.sh env),
DOCKGATE_BIN (default <repo>/build/dockgate) and \`npm ci\` in tests/e2e.
`);
  process.exit(2);
}

function positiveInt(name, text, max = Infinity) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) usage(`--${name} must be an integer from 1 to ${max}`);
  return n;
}

let opts;
try {
  opts = parseArgs({
    options: {
      sessions: { type: 'string', default: '50' },
      calls: { type: 'string', default: '200' },
      users: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'engine-pid': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  usage(err.message);
}
if (opts.help) usage();
const N = positiveInt('sessions', opts.sessions, 64);
const M = positiveInt('calls', opts.calls);
const USERS = opts.users === undefined ? N : positiveInt('users', opts.users, N);
const ENGINE_PID = opts['engine-pid'] === undefined ? null : positiveInt('engine-pid', opts['engine-pid']);

if (!existsSync(join(SDK_DIR, 'package.json'))) usage(`${SDK_DIR} is missing: run \`npm ci\` in tests/e2e first`);

// tests/e2e's helpers resolve undici from tests/e2e/node_modules; the SDK is imported by path
// (its ESM build) since bench/ has no node_modules of its own.
const { DEFAULT_POLICY, DOCKGATE_BIN, childEnv, makeTempDir, requireEngineEnv } = await import('../tests/e2e/lib/dockgate.mjs');
const { addToken, makeTestCerts, startTeamServer, trustTestCa } = await import('../tests/e2e/lib/team-server.mjs');
const { chainProblem } = await import('../tests/e2e/lib/audit-chain.mjs');
const sdkModule = (sub) => import(pathToFileURL(join(SDK_DIR, 'dist/esm', sub)).href);
const { Client } = await sdkModule('client/index.js');
const { StreamableHTTPClientTransport } = await sdkModule('client/streamableHttp.js');
const SDK_VERSION = JSON.parse(readFileSync(join(SDK_DIR, 'package.json'), 'utf8')).version;

if (!existsSync(DOCKGATE_BIN)) usage(`${DOCKGATE_BIN} does not exist: set DOCKGATE_BIN`);
let engineVars;
try {
  engineVars = requireEngineEnv();
} catch (err) {
  usage(err.message);
}

// ---------------------------------------------------------------------------------------------
// Figures

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summarize(label, { latencies, errors, wallMs, cpu = '' }) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    label,
    calls: latencies.length + errors.length,
    errors: errors.length,
    wall_s: wallMs / 1000,
    calls_per_s: latencies.length / (wallMs / 1000),
    p50_ms: percentile(sorted, 0.5),
    p90_ms: percentile(sorted, 0.9),
    p99_ms: percentile(sorted, 0.99),
    max_ms: sorted.length ? sorted[sorted.length - 1] : NaN,
    cpu,
    firstErrors: errors.slice(0, 5),
  };
}

function printTable(rows) {
  const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const lines = [
    '| run | calls | errors | wall s | calls/s | p50 ms | p90 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.label} | ${r.calls} | ${r.errors} | ${fmt(r.wall_s)} | ${fmt(r.calls_per_s, 0)} | ` +
      `${fmt(r.p50_ms)} | ${fmt(r.p90_ms)} | ${fmt(r.p99_ms)} | ${fmt(r.max_ms)} |`),
  ];
  console.log(lines.join('\n'));
}

// CPU seconds (user + system) of a process from /proc (Linux); null elsewhere.
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function procCpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14, 15)
  } catch {
    return null;
  }
}
function engineCpuText({ engineCpu }) {
  return engineCpu === null || engineCpu === undefined || Number.isNaN(engineCpu) ? '' : `, engine (pid ${ENGINE_PID}) ${engineCpu.toFixed(1)} s`;
}
function selfCpuSeconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

// Runs `workers` loops at once, each `perWorker` calls of `call(worker, i)` in sequence; a call
// resolves on success and throws on failure. {latencies (ms), errors, wallMs}.
async function drive(workers, perWorker, call) {
  const latencies = [];
  const errors = [];
  const engineCpu0 = ENGINE_PID ? procCpuSeconds(ENGINE_PID) : null;
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    for (let i = 0; i < perWorker; i++) {
      const t0 = performance.now();
      try {
        await call(w, i);
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors.push(`worker ${w} call ${i}: ${err?.message ?? err}`);
      }
    }
  }));
  const wallMs = performance.now() - started;
  const engineCpu = engineCpu0 === null ? null : procCpuSeconds(ENGINE_PID) - engineCpu0;
  return { latencies, errors, wallMs, engineCpu };
}

// ---------------------------------------------------------------------------------------------
// The engine, directly

function engineTarget() {
  const host = engineVars.DOCKER_HOST;
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length), tls: false };
  const url = new URL(host.replace(/^tcp:/, 'https:'));
  const tls = Boolean(engineVars.DOCKER_TLS_VERIFY) && engineVars.DOCKER_TLS_VERIFY !== '0';
  const target = { host: url.hostname, port: Number(url.port || (tls ? 2376 : 2375)), tls };
  if (tls) {
    const dir = engineVars.DOCKER_CERT_PATH;
    if (!dir) usage('DOCKER_TLS_VERIFY is set but DOCKER_CERT_PATH is not');
    // One context for every connection: building one per request (ca/cert/key as request
    // options) would cost the load generator more CPU than the handshake itself.
    target.secureContext = createSecureContext({
      ca: readFileSync(join(dir, 'ca.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
      key: readFileSync(join(dir, 'key.pem')),
    });
  }
  return target;
}

// GET path on the engine; resolves to the parsed JSON body of a 200, throws otherwise.
function engineGet(target, path, agent) {
  const send = target.tls ? httpsRequest : httpRequest;
  const options = target.socketPath
    ? { socketPath: target.socketPath, path, agent, headers: { Host: 'docker' } }
    : { host: target.host, port: target.port, path, agent, secureContext: target.secureContext };
  return new Promise((resolvePromise, reject) => {
    const req = send({ ...options, method: 'GET' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
          return;
        }
        try {
          resolvePromise(JSON.parse(text));
        } catch {
          reject(new Error(`GET ${path}: not JSON`));
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error(`GET ${path}: no answer in 120 s`)));
    req.end();
  });
}

// The API version dockgate would use: the engine's, capped at 1.41.
async function engineApiVersion(target) {
  const version = await engineGet(target, '/version', false);
  const [major, minor] = String(version.ApiVersion).split('.').map(Number);
  const capped = major > HIGHEST_API[0] || (major === HIGHEST_API[0] && minor > HIGHEST_API[1]) ? HIGHEST_API : [major, minor];
  return { api: `${capped[0]}.${capped[1]}`, engine: version.Version };
}

async function engineBaseline(target, api, keepAlive) {
  const AgentClass = target.tls ? HttpsAgent : HttpAgent;
  // agent false: a new connection (TLS handshake included) per call, as dockgate's engine client.
  const agent = keepAlive ? new AgentClass({ keepAlive: true, maxSockets: N, maxFreeSockets: N }) : false;
  const cpu0 = selfCpuSeconds();
  const run = await drive(N, M, (w, i) => engineGet(target, `/v${api}${ENGINE_PATHS[(w + i) % ENGINE_PATHS.length]}`, agent));
  if (agent) agent.destroy();
  return { ...run, cpu: `load generator ${(selfCpuSeconds() - cpu0).toFixed(1)} s${engineCpuText(run)}` };
}

// ---------------------------------------------------------------------------------------------
// dockgate's team server

async function teamServerRun(tmpDir) {
  const auditLog = join(tmpDir, 'audit.jsonl');
  const certs = await makeTestCerts(join(tmpDir, 'certs'));
  await trustTestCa(certs.ca, { connections: N }); // one request at a time per session
  const usersFile = join(tmpDir, 'users.yaml');
  const users = [];
  for (let u = 0; u < USERS; u++) {
    const name = `load-${String(u + 1).padStart(2, '0')}`;
    users.push({ name, token: await addToken(usersFile, name, ['developer']) });
  }
  const server = await startTeamServer({
    args: ['serve', '--policy', DEFAULT_POLICY, '--audit-log', auditLog, '--http', '127.0.0.1:0',
      '--tls-cert', certs.cert, '--tls-key', certs.key, '--users-file', usersFile],
    env: childEnv(engineVars),
  });
  const sessions = [];
  try {
    const connectStarted = performance.now();
    for (let s = 0; s < N; s++) {
      const user = users[s % USERS];
      const transport = new StreamableHTTPClientTransport(server.url, {
        requestInit: { headers: { Authorization: `Bearer ${user.token}` } },
      });
      const client = new Client({ name: `team-load-${s}`, version: '0' }, { capabilities: {} });
      await client.connect(transport, { timeout: 30_000 });
      sessions.push({ client, transport, user: user.name, id: transport.sessionId });
    }
    const connectMs = performance.now() - connectStarted;

    const serverCpu0 = procCpuSeconds(server.child.pid);
    const cpu0 = selfCpuSeconds();
    const run = await drive(N, M, async (s, i) => {
      const name = TOOLS[(s + i) % TOOLS.length];
      const result = await sessions[s].client.callTool({ name, arguments: {} }, undefined, { timeout: 120_000 });
      if (result.isError) {
        const text = (result.content ?? []).map((c) => c.text ?? '').join(' ');
        throw new Error(`${name}: isError: ${text.slice(0, 300)}`);
      }
    });
    const serverCpu = serverCpu0 === null ? null : procCpuSeconds(server.child.pid) - serverCpu0;
    const cpu = `dockgate ${serverCpu === null ? '?' : serverCpu.toFixed(1)} s, load generator ` +
      `${(selfCpuSeconds() - cpu0).toFixed(1)} s${engineCpuText(run)}`;

    // The audit log names a session by "http-" and 16 hex digits of the SHA-256 of its
    // Mcp-Session-Id (src/http/http_session.cpp), never by the id itself.
    const sessionIds = sessions.map((s) => `http-${createHash('sha256').update(s.id).digest('hex').slice(0, 16)}`);
    for (const { client, transport } of sessions.splice(0)) {
      await transport.terminateSession().catch(() => {}); // DELETE /mcp
      await client.close();
    }
    const exit = await server.stop();
    return { run: { ...run, cpu }, connectMs, exit, stderr: server.stderr(), auditLog, sessionIds };
  } finally {
    for (const { client } of sessions) await client.close().catch(() => {});
    await server.stop();
  }
}

// The audit log against what the run did: a list of problems (empty when it holds).
async function auditProblems(auditLog, expected) {
  const problems = [];
  const text = await readFile(auditLog, 'utf8');
  const chain = chainProblem([text]);
  if (chain) problems.push(`hash chain: ${chain}`);
  const byId = new Map();
  const otherStages = new Map();
  const durations = [];
  const lines = text.split('\n').filter((l) => l !== '');
  for (const line of lines) {
    const rec = JSON.parse(line);
    if (rec.stage !== 'intent' && rec.stage !== 'outcome') {
      otherStages.set(rec.stage, (otherStages.get(rec.stage) ?? 0) + 1);
      continue;
    }
    const call = byId.get(rec.call_id) ?? { intent: 0, outcome: 0 };
    call[rec.stage] += 1;
    call[`${rec.stage}Record`] = rec;
    byId.set(rec.call_id, call);
  }
  for (const [stage, count] of otherStages) problems.push(`${count} unexpected ${stage} record(s)`);
  if (byId.size !== expected.calls) problems.push(`${byId.size} distinct call ids, expected ${expected.calls}`);
  let bad = 0;
  const perSession = new Map();
  for (const [id, call] of byId) {
    const i = call.intentRecord;
    const o = call.outcomeRecord;
    const why = [];
    if (call.intent !== 1 || call.outcome !== 1) why.push(`${call.intent} intent and ${call.outcome} outcome records`);
    if (i && i.decision !== 'allow') why.push(`decision ${i.decision}`);
    if (o && o.result !== 'ok') why.push(`result ${o.result}${o.error ? `: ${o.error}` : ''}`);
    if (i && o && (i.session !== o.session || i.tool !== o.tool || i.principal?.name !== o.principal?.name)) {
      why.push('intent and outcome disagree on session, tool or principal');
    }
    const session = i ?? o;
    const mine = expected.sessions.get(session?.session);
    if (!mine) why.push(`session ${session?.session} is not one of ours`);
    else if (session.principal?.name !== mine.user) why.push(`principal ${session.principal?.name}, expected ${mine.user}`);
    if (session && !TOOLS.includes(session.tool)) why.push(`tool ${session.tool}`);
    if (o && Number.isFinite(o.duration_ms)) durations.push(o.duration_ms);
    if (session) {
      const counts = perSession.get(session.session) ?? {};
      counts[session.tool] = (counts[session.tool] ?? 0) + 1;
      perSession.set(session.session, counts);
    }
    if (why.length) {
      bad += 1;
      if (bad <= 5) problems.push(`call ${id}: ${why.join('; ')}`);
    }
  }
  if (bad > 5) problems.push(`... ${bad} bad calls in all`);
  for (const [sessionId, { index }] of expected.sessions) {
    const counts = perSession.get(sessionId) ?? {};
    for (const [t, tool] of TOOLS.entries()) {
      // session s calls TOOLS[(s + i) % 4] for i < M
      const want = Array.from({ length: M }, (_, i) => (index + i) % TOOLS.length).filter((k) => k === t).length;
      if ((counts[tool] ?? 0) !== want) {
        problems.push(`session ${index} (${sessionId}): ${counts[tool] ?? 0} ${tool} calls audited, expected ${want}`);
      }
    }
  }
  return { problems, records: lines.length, calls: byId.size, durations };
}

// ---------------------------------------------------------------------------------------------

const tmp = await makeTempDir();
let failed = false;
try {
  const target = engineTarget();
  const { api, engine } = await engineApiVersion(target);
  console.log(`# team-load: ${N} sessions x ${M} calls (${USERS} users), ${new Date().toISOString()}`);
  console.log(`# dockgate ${DOCKGATE_BIN}, SDK @modelcontextprotocol/sdk ${SDK_VERSION}, node ${process.version}`);
  console.log(`# engine ${engineVars.DOCKER_HOST} (Docker ${engine}, API ${api}), ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  const rows = [];
  const perConnection = await engineBaseline(target, api, false);
  rows.push(summarize('engine direct, new mTLS connection per call', perConnection));
  const keepAlive = await engineBaseline(target, api, true);
  rows.push(summarize('engine direct, keep-alive mTLS', keepAlive));

  const dg = await teamServerRun(tmp.dir);
  rows.push(summarize('dockgate team server (MCP over HTTPS)', dg.run));

  console.log('');
  printTable(rows);
  console.log('');
  for (const r of rows) console.log(`# CPU during "${r.label}": ${r.cpu}`);
  console.log(`# ${N} sessions opened (initialize) one after the other in ${(dg.connectMs / 1000).toFixed(1)} s`);

  for (const r of rows) {
    if (r.errors) {
      failed = true;
      console.log(`FAIL ${r.label}: ${r.errors} failed calls, e.g.\n  ${r.firstErrors.join('\n  ')}`);
    }
  }
  if (dg.exit.code !== 0) {
    failed = true;
    console.log(`FAIL dockgate exited with ${dg.exit.code ?? dg.exit.signal} on SIGTERM:\n${dg.stderr}`);
  }

  const expected = {
    calls: N * M,
    sessions: new Map(dg.sessionIds.map((id, index) => [id, { index, user: `load-${String((index % USERS) + 1).padStart(2, '0')}` }])),
  };
  const audit = await auditProblems(dg.auditLog, expected);
  const durations = Float64Array.from(audit.durations).sort();
  console.log(`# audit log: ${audit.records} records, ${audit.calls} call ids; server-side duration_ms p50 ${percentile(durations, 0.5)}, ` +
    `p99 ${percentile(durations, 0.99)}, max ${durations[durations.length - 1]}`);
  if (audit.problems.length) {
    failed = true;
    console.log(`FAIL audit log ${dg.auditLog}:\n  ${audit.problems.join('\n  ')}`);
  } else {
    console.log(`OK audit: ${N * M} calls, each one intent (allow) and one outcome (ok) of its session and user; ` +
      'seq 1..' + audit.records + ' contiguous, every prev = SHA-256 of the line before');
  }
  if (opts.json) {
    console.log(JSON.stringify({
      sessions: N, calls_per_session: M, users: USERS, date: new Date().toISOString(),
      rows: rows.map(({ firstErrors, ...r }) => r), audit_ok: audit.problems.length === 0,
    }));
  }
} catch (err) {
  failed = true;
  console.error(`team-load: ${err.stack ?? err}`);
} finally {
  if (opts.keep || failed) console.log(`# kept ${tmp.dir}`);
  else await tmp.remove();
}
process.exit(failed ? 1 : 0);
