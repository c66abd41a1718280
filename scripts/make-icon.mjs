// Renders the app icon, resources/icon.png (1024x1024 by default), from the SVG below with
// sharp. electron-builder derives the macOS .icns, Windows .ico and Linux icon sizes from it.
// Run it again after changing the drawing, then commit the PNG:
//   node scripts/make-icon.mjs [size]
//
// The drawing: a latent space seen from above. Gaussian contour rings (the prior), a few
// encoded images as dots, and an interpolation path between two of them.
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';

const size = Number(process.argv[2] ?? 1024);
if (!Number.isInteger(size) || size < 256 || size > 2048) {
  console.error('usage: node scripts/make-icon.mjs [size between 256 and 2048]');
  process.exit(2);
}

// Deterministic "random" points so the icon never changes by accident.
function points(count, seed, cx, cy, spread) {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out = [];
  for (let i = 0; i < count; i++) {
    // Box-Muller: a Gaussian cloud, like codes under the VAE prior.
    const r = Math.sqrt(-2 * Math.log(rand() + 1e-9)) * spread;
    const t = 2 * Math.PI * rand();
    out.push([cx + r * Math.cos(t), cy + r * Math.sin(t)]);
  }
  return out;
}

const dots = [
  ...points(26, 7, 372, 600, 58).map(([x, y]) => ({ x, y, c: '#7dd3fc' })),
  ...points(26, 11, 664, 420, 58).map(([x, y]) => ({ x, y, c: '#f0abfc' })),
  ...points(14, 23, 560, 690, 44).map(([x, y]) => ({ x, y, c: '#fde68a' })),
]
  .filter(({ x, y }) => Math.hypot(x - 512, y - 512) < 380)
  .map(
    ({ x, y, c }) =>
      `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="11" fill="${c}" fill-opacity="0.85"/>`,
  )
  .join('\n    ');

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#1e1b4b"/>
      <stop offset="1" stop-color="#0f172a"/>
    </linearGradient>
    <radialGradient id="glow" cx="0.5" cy="0.5" r="0.5">
      <stop offset="0" stop-color="#6366f1" stop-opacity="0.45"/>
      <stop offset="1" stop-color="#6366f1" stop-opacity="0"/>
    </radialGradient>
    <linearGradient id="path" x1="0" y1="1" x2="1" y2="0">
      <stop offset="0" stop-color="#38bdf8"/>
      <stop offset="1" stop-color="#e879f9"/>
    </linearGradient>
    <clipPath id="tile"><rect x="64" y="64" width="896" height="896" rx="200"/></clipPath>
  </defs>
  <rect x="64" y="64" width="896" height="896" rx="200" fill="url(#bg)"/>
  <g clip-path="url(#tile)">
    <circle cx="512" cy="512" r="420" fill="url(#glow)"/>
    <g fill="none" stroke="#a5b4fc" stroke-width="6">
      <circle cx="512" cy="512" r="110" stroke-opacity="0.55"/>
      <circle cx="512" cy="512" r="220" stroke-opacity="0.35"/>
      <circle cx="512" cy="512" r="330" stroke-opacity="0.2"/>
    </g>
    ${dots}
    <path d="M372 600 C 430 470, 560 560, 664 420" fill="none" stroke="url(#path)"
          stroke-width="22" stroke-linecap="round" stroke-dasharray="2 44"/>
    <circle cx="372" cy="600" r="40" fill="#0ea5e9" stroke="#e0f2fe" stroke-width="12"/>
    <circle cx="664" cy="420" r="40" fill="#d946ef" stroke="#fae8ff" stroke-width="12"/>
  </g>
</svg>`;

mkdirSync('resources', { recursive: true });
const info = await sharp(Buffer.from(svg), { density: (72 * size) / 1024 })
  .resize(size, size)
  .png({ compressionLevel: 9 })
  .toFile('resources/icon.png');
console.log(`resources/icon.png ${info.width}x${info.height}, ${info.size} bytes`);
