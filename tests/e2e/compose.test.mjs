// docker_compose_up / docker_compose_down through a real MCP client (the SDK Roo pins, 1.12.0,
// and the current one) under policies/default.yaml, against the dev engine: a compose file in
// the workspace comes up (web reaches db by service name), a second up changes nothing, a bad
// service is refused whole with each violation named by its service, and down removes it all.
// The project (folder) name is random; after() removes whatever carries its label.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import {
  SDKS,
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
const SERVICE = `
    image: dockgate-test/busybox:user
    user: "1000:1000"
    cap_drop: [ALL]
    read_only: true
    security_opt: [no-new-privileges]
    stop_grace_period: 1s`;
const FILE = `services:
  db:${SERVICE}
    command: ["httpd", "-f", "-p", "5432", "-h", "/data"]
    volumes: [db-data:/data]
  web:${SERVICE}
    command: ["httpd", "-f", "-p", "8080"]
    depends_on: [db]
volumes:
  db-data:
`;

for (const sdk of Object.keys(SDKS)) {
  describe(`compose with ${SDKS[sdk].label}`, { timeout: 180_000 }, () => {
    const project = `dge2e${randomSuffix().replace(/[^a-z0-9]/g, '')}`;
    let tmp;
    let dg;
    let folder;

    async function call(name, args) {
      return dg.client.callTool({ name, arguments: args }, undefined, CALL);
    }
    async function ok(name, args) {
      const result = await call(name, args);
      assert.equal(result.isError ?? false, false, `${name} failed:\n${resultText(result)}`);
      return resultText(result);
    }
    const labelled = async (kind) =>
      (await docker([kind, 'ls', ...(kind === 'container' ? ['-a'] : []), '-q', '--filter',
        `label=com.docker.compose.project=${project}`])).split('\n').filter(Boolean);

    before(async () => {
      const engine = requireEngineEnv();
      tmp = await makeTempDir();
      folder = join(tmp.dir, project);
      await mkdir(folder);
      await writeFile(join(folder, 'compose.yaml'), FILE);
      dg = await startWithSdk(sdk, {
        args: serveArgs({ auditLog: join(tmp.dir, 'audit.jsonl'), extra: ['--workspace-root', tmp.dir] }),
        env: childEnv(engine),
      });
    });

    after(async () => {
      if (dg) await dg.stop().catch(() => {});
      for (const id of await labelled('container').catch(() => [])) await docker(['rm', '-f', '-v', id]).catch(() => {});
      for (const id of await labelled('network').catch(() => [])) await docker(['network', 'rm', id]).catch(() => {});
      for (const id of await labelled('volume').catch(() => [])) await docker(['volume', 'rm', '-f', id]).catch(() => {});
      if (tmp) await tmp.remove().catch(() => {});
    });

    test('tools/list offers both compose tools with their arguments', async () => {
      const { tools } = await dg.client.listTools();
      const up = tools.find((t) => t.name === 'docker_compose_up');
      const down = tools.find((t) => t.name === 'docker_compose_down');
      assert.deepEqual(Object.keys(up.inputSchema.properties).sort(), ['content', 'detach', 'path', 'services']);
      assert.deepEqual(Object.keys(down.inputSchema.properties).sort(), ['content', 'path', 'removeImages', 'removeVolumes']);
    });

    test('up, web reaches db by service name, up again changes nothing, down with volumes', async () => {
      const up = await ok('docker_compose_up', { path: folder });
      assert.match(up, new RegExp(`services.web: created ${project}-web-1`));
      const reached = await ok('docker_exec', {
        container: `${project}-web-1`,
        command: ['sh', '-c', 'wget -q -O- http://db:5432/ 2>&1; true'],
      });
      assert.match(reached, /404/);
      const again = await ok('docker_compose_up', { path: folder });
      assert.match(again, /services.db: running/);
      assert.match(again, /services.web: running/);
      await ok('docker_compose_down', { path: folder, removeVolumes: true });
      assert.deepEqual(await labelled('container'), []);
      assert.deepEqual(await labelled('volume'), []);
    });

    test('a file with a bad service is refused whole, violations named by service', async () => {
      const bad = `${FILE.replace('volumes:\n  db-data:\n', '')}  root:
    image: dockgate-test/busybox:root
    privileged: true
volumes:
  db-data:
`;
      const result = await call('docker_compose_up', { content: `name: ${project}\n${bad}` });
      assert.equal(result.isError, true);
      const text = resultText(result);
      assert.match(text, /services\.root\.privileged/);
      assert.match(text, /services\.root\.user/);
      assert.doesNotMatch(text, /field: services\.web/);
      assert.deepEqual(await labelled('container'), []);
    });
  });
}
