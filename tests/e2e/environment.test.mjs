// Preconditions of the other e2e tests, as tests of their own: when they are not met, the
// other suites' before() hooks fail and their tests are reported as cancelled; these report
// the cause as a failure, with what to do about it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, constants } from 'node:fs/promises';
import { DOCKGATE_BIN, requireEngineEnv } from './lib/dockgate.mjs';

test('the dev engine environment is set (DOCKER_HOST)', () => {
  requireEngineEnv();
});

test('the dockgate binary is executable (DOCKGATE_BIN)', async () => {
  await assert.doesNotReject(
    access(DOCKGATE_BIN, constants.X_OK),
    `${DOCKGATE_BIN} is not executable: build it (cmake --build build --target dockgate) or set DOCKGATE_BIN`,
  );
});
