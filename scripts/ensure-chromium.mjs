// Makes sure a Chromium for the browser tests exists. Playwright cannot download its own browsers
// on this network, so we use Debian's package: installed here when running as root, otherwise we
// say exactly what to run.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(chromium)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (isRoot && hasApt && !process.env.CHROMIUM_PATH) {
  console.log(`[ensure-chromium] ${chromium} is missing: installing Debian's chromium (apt-get)...`);
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
    stdio: 'inherit',
  });
  if (existsSync(chromium)) process.exit(0);
}
console.error(
  `[ensure-chromium] No Chromium at ${chromium}.\n` +
    `  Install it:   sudo apt-get update && sudo apt-get install -y chromium\n` +
    `  or point the tests at another Chromium/Chrome:   CHROMIUM_PATH=/path/to/chrome npm test`,
);
process.exit(1);
