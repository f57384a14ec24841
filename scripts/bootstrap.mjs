#!/usr/bin/env node
// Entry point of `npm start`, `npm test`, `npm run bench`, `npm run soak` and `npm run overload` on a fresh clone. Plain Node with no
// dependencies, because it runs before any are installed: it installs them
// (npm ci) when the lockfile changed, installs Debian's Chromium for the browser
// tests when missing, then runs the TypeScript command: `start` in infra/src/cli/,
// `test` and `bench` in testkit/src/cli/.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const command = process.argv[2];
const say = (line) => process.stdout.write(`[eventline] ${line}\n`);
const fail = (line) => {
  process.stderr.write(`[eventline] ${line}\n`);
  process.exit(1);
};

const COMMANDS = ['start', 'test', 'bench', 'soak', 'overload'];
if (!COMMANDS.includes(command)) fail(`usage: node scripts/bootstrap.mjs ${COMMANDS.join('|')} [args]`);

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 11))
  fail(`Node ${process.versions.node} is too old — install Node 20.11 or newer`);

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.error) fail(`${cmd} could not start: ${result.error.message}`);
  return result.status === 0;
}

function ensureDependencies() {
  const lock = readFileSync(join(root, 'package-lock.json'));
  const hash = createHash('sha256').update(lock).digest('hex');
  const stamp = join(root, 'node_modules', '.eventline-lock-hash');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  say('installing dependencies (npm ci) …');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) fail('npm ci failed — see the output above');
  writeFileSync(stamp, hash);
}

function ensureChromium() {
  const chromium = process.env.EVENTLINE_CHROMIUM ?? '/usr/bin/chromium';
  if (existsSync(chromium)) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!hasApt)
    fail(`Chromium is missing at ${chromium} — install it, or point EVENTLINE_CHROMIUM at a Chromium binary`);
  const sudo = isRoot ? [] : ['sudo', '-n'];
  say('installing Chromium for the browser tests (apt-get install chromium) …');
  const apt = (...args) => (sudo.length ? run(sudo[0], [...sudo.slice(1), 'apt-get', ...args]) : run('apt-get', args));
  if (!apt('update', '-qq') || !apt('install', '-y', '-qq', '--no-install-recommends', 'chromium')) {
    fail('could not install Chromium — run `sudo apt-get install chromium`, or set EVENTLINE_CHROMIUM');
  }
}

// The child handles Ctrl-C and shuts the stack down; this process just waits for it.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
ensureDependencies();
if (command !== 'start') ensureChromium();
const result = spawnSync(
  process.execPath,
  [
    // The soak's oracle holds the id of every event it stored (some 27 million in 30 minutes at half capacity).
    ...(command === 'soak' ? ['--max-old-space-size=8192'] : []),
    '--conditions=@eventline/source',
    '--import',
    'tsx',
    join(root, command === 'start' ? 'infra' : 'testkit', 'src', 'cli', `${command}.ts`),
    ...process.argv.slice(3),
  ],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
