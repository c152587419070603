// Shared helpers for the dockgate end-to-end tests: where the binary and policies are, temp
// dirs, the audit log, the docker CLI, and two ways to talk to a running `dockgate serve`:
// a real MCP SDK client (startWithSdk) and raw JSON lines over stdio (spawnRaw).
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DOCKGATE_BIN = process.env.DOCKGATE_BIN || join(REPO_ROOT, 'build/dockgate');
export const DEFAULT_POLICY = join(REPO_ROOT, 'policies/default.yaml');
export const ROGUE_CERT_PATH = join(REPO_ROOT, '.dev/certs/rogue-client');
/** An address where nothing listens: a call that reaches the engine fails with "connection refused". */
export const DEAD_ENGINE = 'tcp://127.0.0.1:1';

/** The policy of the denial tests: everyone may read, but bob may not list images. */
export const BOB_POLICY = `apiVersion: dockgate/v1
kind: Policy
name: test
rules:
  - id: read-only-tools
    title: Everyone may list and inspect
    effect: allow
    match: {tools: [docker_ps, docker_images, docker_inspect]}
  - id: no-images-for-bob
    title: Bob may not list images
    effect: deny
    match: {tools: [docker_images], principals: [bob]}
    message: bob's role does not include image listing
    how_to_comply: ask for the images role
`;

export const TOOL_NAMES = ['docker_ps', 'docker_images', 'docker_inspect'];

export function randomSuffix() {
  return randomBytes(4).toString('hex');
}

/** The dev engine's DOCKER_* variables; fails clearly when they are missing. */
export function requireEngineEnv() {
  if (!process.env.DOCKER_HOST) {
    throw new Error(
      'DOCKER_HOST is not set: start the dev engine with `scripts/dev-engine.sh start` and run the tests as\n' +
        '  cd tests/e2e && eval "$(../../scripts/dev-engine.sh env)" && node --test',
    );
  }
  const env = {};
  for (const key of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) {
    if (process.env[key] !== undefined) env[key] = process.env[key];
  }
  return env;
}

/**
 * The environment of a dockgate child: PATH and HOME, plus the engine variables given
 * (pass {} for none). Nothing else of ours leaks in, so each test states what it depends on.
 */
export function childEnv(engineVars) {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  if (process.env.HOME) env.HOME = process.env.HOME;
  return { ...env, ...engineVars };
}

/** A fresh temp dir; call remove() in an after hook. */
export async function makeTempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'dockgate-e2e-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function writePolicy(dir, text, name = 'policy.yaml') {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Audit log

/** All records of a JSON-lines audit log (a missing file reads as no records). */
export async function readAuditLog(file) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line);
      } catch (err) {
        throw new Error(`audit log ${file} line ${i + 1} is not JSON: ${line}`);
      }
    });
}

/**
 * The audit log grouped by call: [{call_id, intent, outcome}] in the order of the intent
 * records. Throws if a call lacks its intent or its outcome, or has more than one of either.
 */
export async function readAuditCalls(file) {
  const byId = new Map();
  for (const rec of await readAuditLog(file)) {
    if (!rec.call_id) throw new Error(`audit record without call_id: ${JSON.stringify(rec)}`);
    const call = byId.get(rec.call_id) ?? { call_id: rec.call_id };
    if (rec.stage !== 'intent' && rec.stage !== 'outcome') {
      throw new Error(`audit record with unexpected stage: ${JSON.stringify(rec)}`);
    }
    if (call[rec.stage]) throw new Error(`two ${rec.stage} records for call ${rec.call_id}`);
    call[rec.stage] = rec;
    byId.set(rec.call_id, call);
  }
  const calls = [...byId.values()];
  for (const call of calls) {
    if (!call.intent || !call.outcome) {
      throw new Error(`call ${call.call_id} has no ${call.intent ? 'outcome' : 'intent'} record`);
    }
  }
  return calls;
}

// ---------------------------------------------------------------------------------------------
// docker CLI (for fixtures only: the tests observe through dockgate)

export function docker(args, { timeout = 30_000 } = {}) {
  const env = { ...process.env, ...requireEngineEnv(), DOCKER_API_VERSION: '1.41' };
  return new Promise((resolvePromise, reject) => {
    execFile('docker', args, { env, timeout }, (err, stdout, stderr) => {
      if (err) {
        err.message = `docker ${args.join(' ')} failed: ${err.message}\n${stderr}`;
        reject(err);
      } else {
        resolvePromise(stdout.trim());
      }
    });
  });
}

/** Removes a container this test created; ignores "no such container". */
export async function removeContainer(name) {
  try {
    await docker(['rm', '-f', name]);
  } catch (err) {
    if (!/No such container/i.test(err.message)) throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Starting dockgate

/**
 * Arguments of `dockgate serve`. The audit log is required: without --audit-log dockgate
 * writes to the user's state dir (~/.local/state/dockgate), which the tests must not touch.
 */
export function serveArgs({ policy = DEFAULT_POLICY, auditLog, principal = 'e2e-user', extra = [] }) {
  if (!auditLog) throw new Error('serveArgs: auditLog is required (a file in the test temp dir)');
  return ['serve', '--policy', policy, '--audit-log', auditLog, '--principal', principal, ...extra];
}

/** Waits for a child to exit, killing it (and failing) after ms. Resolves to {code, signal}. */
async function waitForExit(child, ms, what) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return { code: child.exitCode, signal: child.signalCode };
  }
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${ms} ms after stdin was closed`));
    }, ms);
  });
  try {
    const [code, signal] = await Promise.race([once(child, 'exit'), timeout]);
    return { code, signal };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Wraps an SDK transport to record every JSON-RPC message in both directions, so a test can
 * see what the SDK sent (clientInfo) and what was negotiated, whatever the SDK version exposes.
 */
class RecordingTransport {
  constructor(inner) {
    this.inner = inner;
    this.sent = [];
    this.received = [];
  }
  async start() {
    this.inner.onmessage = (msg, extra) => {
      this.received.push(msg);
      this.onmessage?.(msg, extra);
    };
    this.inner.onerror = (err) => this.onerror?.(err);
    this.inner.onclose = () => this.onclose?.();
    return this.inner.start();
  }
  async send(msg, options) {
    this.sent.push(msg);
    return this.inner.send(msg, options);
  }
  async close() {
    return this.inner.close();
  }
  get stderr() {
    return this.inner.stderr;
  }
  /** The initialize request the SDK sent and the server's reply to it. */
  get handshake() {
    const request = this.sent.find((m) => m.method === 'initialize');
    const reply = request && this.received.find((m) => m.id === request.id);
    return { request, reply };
  }
}

export const SDKS = {
  current: { label: '@modelcontextprotocol/sdk (current)', pkg: '@modelcontextprotocol/sdk' },
  '1.12': { label: 'sdk-1.12 (@modelcontextprotocol/sdk@1.12.0)', pkg: 'sdk-1.12' },
};

/**
 * Starts dockgate through an MCP SDK's StdioClientTransport and connects a Client.
 * Returns {client, transport, stderr(), stop()}; stop() closes stdin, waits for dockgate to exit
 * by itself and returns its exit code (the audit log is complete once stop() resolved).
 */
export async function startWithSdk(sdk, { args, env, clientName = `dockgate-e2e-${sdk}` }) {
  const { pkg } = SDKS[sdk];
  const { Client } = await import(`${pkg}/client/index.js`);
  const { StdioClientTransport } = await import(`${pkg}/client/stdio.js`);

  const inner = new StdioClientTransport({ command: DOCKGATE_BIN, args, env, stderr: 'pipe' });
  let stderrText = '';
  inner.stderr.on('data', (chunk) => {
    stderrText += chunk;
  });
  const transport = new RecordingTransport(inner);
  const client = new Client({ name: clientName, version: '0.0.1' }, { capabilities: {} });
  try {
    await client.connect(transport, { timeout: 10_000 });
  } catch (err) {
    await client.close().catch(() => {});
    err.message += `\ndockgate stderr:\n${stderrText}`;
    throw err;
  }
  // Neither SDK version exposes the child process publicly; it is needed to close stdin and
  // see dockgate exit on its own instead of being killed by the transport.
  const child = inner._process;
  let stopped;
  return {
    client,
    transport,
    stderr: () => stderrText,
    stop() {
      stopped ??= (async () => {
        try {
          child.stdin.end();
          return await waitForExit(child, 10_000, 'dockgate');
        } finally {
          await client.close().catch(() => {});
        }
      })();
      return stopped;
    },
  };
}

/** The text of a tool result's single text content block. */
export function resultText(result) {
  const texts = (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text);
  if (texts.length !== 1) throw new Error(`expected one text block, got ${JSON.stringify(result.content)}`);
  return texts[0];
}

/**
 * Spawns dockgate and speaks raw JSON lines to it. Replies are matched by id; stdout is kept
 * line by line so a test can check that it holds nothing but JSON.
 */
export function spawnRaw({ args, env }) {
  const child = spawn(DOCKGATE_BIN, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  const waiters = [];
  let stdoutBuf = '';
  let stderrText = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderrText += chunk;
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    stdoutBuf += chunk;
    let nl;
    while ((nl = stdoutBuf.indexOf('\n')) >= 0) {
      const line = stdoutBuf.slice(0, nl);
      stdoutBuf = stdoutBuf.slice(nl + 1);
      lines.push(line);
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        continue; // kept in lines; allJson() reports it
      }
      for (const w of [...waiters]) {
        if (w.match(msg)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(msg);
        }
      }
    }
  });
  // Writing to a child that died must fail the test, not crash the runner.
  child.stdin.on('error', () => {});

  const session = {
    child,
    lines,
    stderr: () => stderrText,
    /** Stdout bytes after the last newline (should stay empty). */
    trailing: () => stdoutBuf,
    writeLine(text) {
      child.stdin.write(text.endsWith('\n') ? text : text + '\n');
    },
    send(msg) {
      session.writeLine(JSON.stringify({ jsonrpc: '2.0', ...msg }));
    },
    /** The first message (already received or still to come) for which match(msg) is true. */
    waitFor(match, what = 'a reply', ms = 15_000) {
      for (const line of lines) {
        try {
          const msg = JSON.parse(line);
          if (match(msg)) return Promise.resolve(msg);
        } catch {
          /* not JSON */
        }
      }
      return new Promise((resolvePromise, reject) => {
        const waiter = { match, resolve: resolvePromise };
        waiters.push(waiter);
        setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`no ${what} within ${ms} ms; stdout:\n${lines.join('\n')}\nstderr:\n${stderrText}`));
          }
        }, ms).unref();
      });
    },
    reply(id, ms) {
      return session.waitFor((m) => m.id === id && ('result' in m || 'error' in m), `reply to id ${JSON.stringify(id)}`, ms);
    },
    request(id, method, params) {
      session.send(params === undefined ? { id, method } : { id, method, params });
      return session.reply(id);
    },
    async initialize(protocolVersion = '2025-06-18') {
      const reply = await session.request(0, 'initialize', {
        protocolVersion,
        capabilities: {},
        clientInfo: { name: 'dockgate-e2e-raw', version: '0.0.1' },
      });
      if (!reply.result) throw new Error(`initialize failed: ${JSON.stringify(reply)}`);
      session.send({ method: 'notifications/initialized' });
      return reply;
    },
    /** Closes stdin and waits for dockgate to exit by itself; {code, signal}. */
    async closeStdin(ms = 10_000) {
      child.stdin.end();
      return waitForExit(child, ms, 'dockgate');
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  return session;
}
