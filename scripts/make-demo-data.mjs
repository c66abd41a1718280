#!/usr/bin/env node
// Writes a few thousand Fashion-MNIST images as PNG files, one folder per class, so there is a
// real image folder to try Latent Explorer on. Reads the IDX files of the Debian package
// `dataset-fashion-mnist` (or of --source DIR); nothing is downloaded.
//
//   node scripts/make-demo-data.mjs [--out DIR] [--count N] [--split train|test] [--source DIR]
//
// Defaults: --out demo-data/fashion-mnist, --count 3000, --split train,
// --source /usr/share/datasets/fashion-mnist. Output is deterministic (the first N images).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';

const CLASSES = [
  't-shirt',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle-boot',
];
const DEFAULT_SOURCE = '/usr/share/datasets/fashion-mnist';

function fail(message) {
  console.error(`make-demo-data: ${message}`);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: path.join('demo-data', 'fashion-mnist') },
    count: { type: 'string', default: '3000' },
    split: { type: 'string', default: 'train' },
    source: { type: 'string', default: DEFAULT_SOURCE },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: node scripts/make-demo-data.mjs [--out DIR] [--count N] [--split train|test] [--source DIR]',
  );
  process.exit(0);
}
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1)
  fail(`--count must be a positive integer, got "${values.count}"`);
if (values.split !== 'train' && values.split !== 'test')
  fail(`--split must be train or test, got "${values.split}"`);

const prefix = values.split === 'train' ? 'train' : 't10k';
const imagesFile = path.join(values.source, `${prefix}-images-idx3-ubyte.gz`);
const labelsFile = path.join(values.source, `${prefix}-labels-idx1-ubyte.gz`);
for (const file of [imagesFile, labelsFile]) {
  if (!existsSync(file)) {
    fail(
      `${file} not found.\n` +
        (values.source === DEFAULT_SOURCE
          ? 'The Fashion-MNIST files come from the Debian package dataset-fashion-mnist: ' +
            'install it (sudo apt-get install dataset-fashion-mnist) or pass --source DIR ' +
            'with the four *-ubyte.gz files.'
          : 'Pass --source DIR pointing at the folder with the four Fashion-MNIST *-ubyte.gz files.'),
    );
  }
}

/** Parses an IDX file (big-endian header: magic with type and rank, then the dimensions). */
function parseIdx(buffer, expectedRank, file) {
  const magic = buffer.readUInt32BE(0);
  const type = (magic >> 8) & 0xff;
  const rank = magic & 0xff;
  if (magic >> 16 !== 0 || type !== 0x08 || rank !== expectedRank) {
    fail(
      `${file} is not an unsigned-byte IDX file of rank ${expectedRank} (magic 0x${magic.toString(16)})`,
    );
  }
  const dims = Array.from({ length: rank }, (_, i) => buffer.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (buffer.length - offset < expected) fail(`${file} is truncated`);
  return { dims, data: buffer.subarray(offset, offset + expected) };
}

const images = parseIdx(gunzipSync(await readFile(imagesFile)), 3, imagesFile);
const labels = parseIdx(gunzipSync(await readFile(labelsFile)), 1, labelsFile);
const [total, rows, cols] = images.dims;
if (labels.dims[0] !== total) fail('image and label files disagree on the number of items');
const n = Math.min(count, total);

await Promise.all(CLASSES.map((name) => mkdir(path.join(values.out, name), { recursive: true })));
const csv = ['file,label,class'];
const started = Date.now();
for (let i = 0; i < n; i++) {
  const label = labels.data[i];
  const name = CLASSES[label] ?? `class-${label}`;
  const file = path.join(name, `${values.split}-${String(i).padStart(5, '0')}.png`);
  const pixels = images.data.subarray(i * rows * cols, (i + 1) * rows * cols);
  await sharp(pixels, { raw: { width: cols, height: rows, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(path.join(values.out, file));
  csv.push(`${file.split(path.sep).join('/')},${label},${name}`);
  if ((i + 1) % 1000 === 0) console.log(`  ${i + 1} / ${n}`);
}
await writeFile(path.join(values.out, 'labels.csv'), `${csv.join('\n')}\n`);
console.log(
  `Wrote ${n} Fashion-MNIST ${values.split} images (${cols}x${rows} greyscale PNG) to ` +
    `${path.resolve(values.out)} in ${((Date.now() - started) / 1000).toFixed(1)} s, with labels.csv.`,
);
