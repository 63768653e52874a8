// Draws the app icons (a white paw print on teal) into public/ as real PNG files.
// Run with `npm run icons`; the output is committed so builds need no drawing step.
import { PNG } from 'pngjs';
import { writeFileSync, mkdirSync } from 'node:fs';

const TEAL = [15, 118, 110];
const WHITE = [255, 255, 255];

/** Paw print made of ellipses, in a unit square (0..1). */
const PAW = [
  { cx: 0.5, cy: 0.64, rx: 0.2, ry: 0.16 },
  { cx: 0.29, cy: 0.42, rx: 0.075, ry: 0.095 },
  { cx: 0.42, cy: 0.32, rx: 0.075, ry: 0.1 },
  { cx: 0.58, cy: 0.32, rx: 0.075, ry: 0.1 },
  { cx: 0.71, cy: 0.42, rx: 0.075, ry: 0.095 },
];

function draw(size, { maskable }) {
  const png = new PNG({ width: size, height: size });
  // Maskable icons keep the artwork inside the 80% safe zone and fill the whole square.
  const scale = maskable ? 0.7 : 0.9;
  const offset = (1 - scale) / 2;
  const radius = maskable ? 0 : size * 0.22;
  const samples = 4; // anti-aliasing: 4x4 sub-pixels
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let inShape = 0;
      let inPaw = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const px = x + (sx + 0.5) / samples;
          const py = y + (sy + 0.5) / samples;
          if (insideRoundedSquare(px, py, size, radius)) inShape++;
          const u = (px / size - offset) / scale;
          const v = (py / size - offset) / scale;
          if (PAW.some((e) => ((u - e.cx) / e.rx) ** 2 + ((v - e.cy) / e.ry) ** 2 <= 1)) inPaw++;
        }
      }
      const n = samples * samples;
      const pawShare = inPaw / n;
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) png.data[i + c] = Math.round(TEAL[c] * (1 - pawShare) + WHITE[c] * pawShare);
      png.data[i + 3] = Math.round(255 * (inShape / n));
    }
  }
  return PNG.sync.write(png);
}

function insideRoundedSquare(px, py, size, r) {
  if (r === 0) return true;
  const cx = Math.min(Math.max(px, r), size - r);
  const cy = Math.min(Math.max(py, r), size - r);
  return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
}

mkdirSync('public/icons', { recursive: true });
const outputs = [
  ['public/icons/icon-192.png', 192, false],
  ['public/icons/icon-512.png', 512, false],
  ['public/icons/maskable-512.png', 512, true],
  ['public/icons/apple-touch-icon-180.png', 180, true],
  ['public/favicon-32.png', 32, false],
];
for (const [file, size, maskable] of outputs) {
  writeFileSync(file, draw(size, { maskable }));
  console.log(`wrote ${file}`);
}
