// `npm start` without waiting for tsc when nothing changed: builds dist/ only
// when a file in src/ or workers/ (or a tsconfig) is newer than the last build,
// or the build is missing (a fresh clone). Exits with the build's code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chdir, exit } from 'node:process';
import { fileURLToPath } from 'node:url';

chdir(dirname(dirname(fileURLToPath(import.meta.url))));
const STAMP = 'dist/.tsbuildinfo';
const ENTRY = 'dist/src/cli.js';

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const inputs = ['src', 'workers', 'tsconfig.json', 'tsconfig.build.json'].filter((p) => existsSync(p));
const built = existsSync(ENTRY) && existsSync(STAMP) ? statSync(STAMP).mtimeMs : null;
if (built === null || Math.max(...inputs.map(newest)) > built) {
  // tsc's incremental build re-emits only what changed: with an output gone, start from nothing.
  if (!existsSync(ENTRY)) rmSync(STAMP, { force: true });
  const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (build.status !== 0) exit(build.status ?? 1);
  // tsc leaves its build info alone when no output changed (a file touched, not edited): mark the build current.
  const now = new Date();
  utimesSync(STAMP, now, now);
}
