// Helpers for the team server tests (`dockgate serve --http`): test certificates from
// certs/make-dev-certs.sh, tokens from `dockgate token add`, starting and stopping the server,
// trusting the test CA in fetch (which the SDK transports use), and raw HTTPS requests.
import { spawn, execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { checkServerIdentity, connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { Agent, setGlobalDispatcher } from 'undici';
import { DOCKGATE_BIN, REPO_ROOT } from './dockgate.mjs';

function run(command, args, { env = process.env } = {}) {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n${stderr}`;
        reject(err);
      } else {
        resolvePromise({ stdout, stderr });
      }
    });
  });
}

/** A test PKI in dir: {ca, cert, key} paths (server cert for 127.0.0.1 and localhost). */
export async function makeTestCerts(dir) {
  await run(join(REPO_ROOT, 'certs/make-dev-certs.sh'), [dir]);
  return { ca: join(dir, 'ca/ca.pem'), cert: join(dir, 'server/cert.pem'), key: join(dir, 'server/key.pem') };
}

/** Makes fetch (and so the SDK transports) trust the test CA, for this test process only. */
export async function trustTestCa(caFile, { connections = null } = {}) {
  const ca = await readFile(caFile, 'utf8');
  setGlobalDispatcher(new Agent({ connect: { ca }, connections }));
  return ca;
}

/** `dockgate token add`: the new token (stdout), after it appended the hash to usersFile. */
export async function addToken(usersFile, name, roles = []) {
  const args = ['token', 'add', name, '--users-file', usersFile];
  for (const role of roles) args.push('--role', role);
  const { stdout } = await run(DOCKGATE_BIN, args);
  return stdout.trim();
}

/**
 * Starts `dockgate serve ...args` and waits for "team server listening on URL".
 * Returns {url, origin, child, stderr(), stop()}; stop() sends SIGTERM and resolves to the exit.
 */
export function startTeamServer({ args, env }) {
  const child = spawn(DOCKGATE_BIN, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderrText = '';
  child.stderr.setEncoding('utf8');
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the team server did not start within 10 s:\n${stderrText}`));
    }, 10_000);
    const onEarlyExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`dockgate exited with ${code} before listening:\n${stderrText}`));
    };
    child.on('exit', onEarlyExit);
    let listening = false;
    child.stderr.on('data', (chunk) => {
      stderrText += chunk;
      const match = listening ? null : /team server listening on (\S+)/.exec(stderrText);
      if (!match) return;
      listening = true;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      const url = new URL(match[1]);
      let exited;
      resolvePromise({
        url,
        child,
        stderr: () => stderrText,
        stop() {
          exited ??= new Promise((resolveExit) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              resolveExit({ code: child.exitCode, signal: child.signalCode });
              return;
            }
            const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', (code, signal) => {
              clearTimeout(kill);
              resolveExit({ code, signal });
            });
            child.kill('SIGTERM');
          });
          return exited;
        },
      });
    });
  });
}

/** Runs dockgate to completion (for start-up refusals): {code, stderr}. */
export function runDockgate(args, env) {
  return new Promise((resolvePromise) => {
    const child = spawn(DOCKGATE_BIN, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stderr });
    });
  });
}

/**
 * One raw HTTP(S) request with full control of the headers (Host included), on a fresh
 * connection. Resolves to {status, headers, text, json}.
 */
export function rawRequest(url, { method = 'POST', headers = {}, body, ca } = {}) {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const req = send(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers,
        ca,
        // The certificate is checked against the address connected to, not a Host header
        // that a test sets to something foreign on purpose.
        checkServerIdentity: (_host, cert) => checkServerIdentity(target.hostname, cert),
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          let json;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolvePromise({ status: res.statusCode, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${url}: no answer in 30 s`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Writes `text` as-is over TLS (for requests node's http client refuses to send); the status. */
export function rawTlsExchange(url, text, ca) {
  const target = new URL(url);
  return new Promise((resolvePromise, reject) => {
    const socket = tlsConnect({
      host: target.hostname,
      port: Number(target.port),
      ca,
      checkServerIdentity: (_host, cert) => checkServerIdentity(target.hostname, cert),
    }, () => socket.end(text));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (reply += chunk));
    socket.on('end', () => resolvePromise(Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1])));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}
