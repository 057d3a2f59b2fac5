// Run by `npm install` / `npm ci` (postinstall). Applies fixes to dependencies whose releases lack them.
// Each patch checks the exact text it replaces: a new release that changed it stops the install loudly,
// so nobody runs an unpatched copy without knowing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { stdout } from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MARK = '/* helpdesk: guarded against a closed socket (porsager/postgres#1208) */';

/**
 * postgres.js 3.4.9 defers small writes behind setImmediate. When Postgres
 * drops a connection (failover, pg_terminate_backend) a deferred write can run
 * after the socket is gone: an uncatchable TypeError that ends the process
 * (porsager/postgres#1154, #1208). And teardown cancels the deferred write
 * without forgetting it, so a reconnected connection can never flush again.
 * The fix (as proposed upstream in #1209): a write without a socket fails the
 * waiting queries with CONNECTION_CLOSED, and teardown forgets the pending write.
 */
const postgres = {
  package: 'postgres',
  version: '3.4.9',
  files: ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js'],
  edits: [
    [
      '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
      `  function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
    ],
    ['    clearImmediate(nextWriteTimer)\n    if (socket) {', '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    if (socket) {'],
    ['    incomings = null\n    clearImmediate(nextWriteTimer)\n', '    incomings = null\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n'],
  ],
};

for (const patch of [postgres]) {
  const dir = join(root, 'node_modules', patch.package);
  if (!existsSync(dir)) continue; // not installed (e.g. a production install without it)
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const file of patch.files) {
    const path = join(dir, file);
    let text = readFileSync(path, 'utf8');
    if (text.includes(MARK)) continue;
    for (const [before, after] of patch.edits) {
      if (!text.includes(before)) {
        throw new Error(`patch-dependencies: ${patch.package}@${version} ${file} does not contain the text the fix replaces; check whether ${patch.package} ${version} fixed porsager/postgres#1208 and update scripts/patch-dependencies.mjs (the fix was written for ${patch.version})`);
      }
      text = text.replace(before, after);
    }
    writeFileSync(path, text);
  }
  stdout.write(`patch-dependencies: ${patch.package}@${version} guarded against writes on a closed socket\n`);
}
