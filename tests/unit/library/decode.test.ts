import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, type DecodeOptions, type DecodeResult } from '../../../app/library/decode';
import type { PreprocessSpec } from '../../../app/library/types';
import { fromRaw, noisy, pngHeaderOnly, solid, tinyBmp } from './helpers';

const WHITE = { r: 255, g: 255, b: 255 };

function options(
  spec: Partial<PreprocessSpec> = {},
  extra: Partial<DecodeOptions> = {},
): DecodeOptions {
  return {
    spec: { size: 16, channels: 3, fit: 'cover', background: WHITE, ...spec },
    thumbnailSize: 128,
    maxInputPixels: 100_000_000,
    failOn: 'error',
    ...extra,
  };
}

function ok(result: DecodeResult): Extract<DecodeResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a decoded image, got ${result.kind}: ${result.reason}`);
  return result;
}

function px(
  pixels: Uint8Array,
  size: number,
  channels: number,
  row: number,
  col: number,
): number[] {
  const o = (row * size + col) * channels;
  return Array.from(pixels.subarray(o, o + channels));
}

function near(actual: number[], expected: number[], tolerance = 12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) =>
    expect(
      Math.abs(v - (expected[i] as number)),
      `channel ${i}: ${actual} vs ${expected}`,
    ).toBeLessThanOrEqual(tolerance),
  );
}

/** 32x16 image: left half red, right half blue. */
function halves(): Uint8Array {
  const w = 32;
  const h = 16;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      if (x < w / 2) data[o] = 255;
      else data[o + 2] = 255;
    }
  }
  return data;
}

describe('decodeImage: pixels', () => {
  it('applies EXIF orientation before cropping (orientation 6 = rotate 90° clockwise)', async () => {
    const jpeg = await fromRaw(halves(), 32, 16, 3)
      .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const result = ok(await decodeImage(jpeg, options()));
    expect([result.meta.width, result.meta.height]).toEqual([16, 32]);
    // Displayed upright, the red half is on top: the centre crop has red above blue.
    near(px(result.pixels, 16, 3, 2, 2), [255, 0, 0], 40);
    near(px(result.pixels, 16, 3, 2, 13), [255, 0, 0], 40);
    near(px(result.pixels, 16, 3, 13, 2), [0, 0, 255], 40);
    near(px(result.pixels, 16, 3, 13, 13), [0, 0, 255], 40);
  });

  it('without orientation the same picture is split left/right (control for the test above)', async () => {
    const jpeg = await fromRaw(halves(), 32, 16, 3)
      .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
      .toBuffer();
    const result = ok(
      await decodeImage(jpeg, options({ fit: 'contain', background: { r: 0, g: 255, b: 0 } })),
    );
    near(px(result.pixels, 16, 3, 8, 1), [255, 0, 0], 40);
    near(px(result.pixels, 16, 3, 8, 14), [0, 0, 255], 40);
    // contain pads top and bottom with the background colour
    near(px(result.pixels, 16, 3, 0, 8), [0, 255, 0], 2);
    near(px(result.pixels, 16, 3, 15, 8), [0, 255, 0], 2);
  });

  it('flattens transparency onto the configured background', async () => {
    const transparent = await solid('png', { r: 0, g: 0, b: 255, alpha: 0 });
    const onRed = ok(
      await decodeImage(transparent, options({ background: { r: 255, g: 0, b: 0 } })),
    );
    expect(onRed.pixels.length).toBe(16 * 16 * 3);
    near(px(onRed.pixels, 16, 3, 5, 5), [255, 0, 0], 1);
    expect(onRed.meta.hasAlpha).toBe(true);

    const halfBlack = await solid('png', { r: 0, g: 0, b: 0, alpha: 0.5 });
    const onWhite = ok(await decodeImage(halfBlack, options()));
    near(px(onWhite.pixels, 16, 3, 5, 5), [128, 128, 128], 3);
  });

  it('turns a one-channel greyscale PNG into 3 equal channels', async () => {
    const grey = await fromRaw(new Uint8Array(16 * 16).fill(100), 16, 16, 1)
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const result = ok(await decodeImage(grey, options()));
    expect(result.meta.channels).toBe(1);
    expect(result.pixels.length).toBe(16 * 16 * 3);
    near(px(result.pixels, 16, 3, 7, 7), [100, 100, 100], 1);
  });

  it('turns colour into one greyscale channel', async () => {
    const red = ok(
      await decodeImage(await solid('png', { r: 255, g: 0, b: 0 }), options({ channels: 1 })),
    );
    const green = ok(
      await decodeImage(await solid('png', { r: 0, g: 200, b: 0 }), options({ channels: 1 })),
    );
    expect(red.pixels.length).toBe(16 * 16);
    expect(green.pixels.length).toBe(16 * 16);
    const r = red.pixels[40] as number;
    const g = green.pixels[40] as number;
    expect(r).toBeGreaterThan(30);
    expect(r).toBeLessThan(200);
    expect(g).toBeGreaterThan(r); // green is perceptually lighter than red
    expect(new Set(red.pixels).size).toBe(1);
  });

  it('reduces 16-bit input to 8-bit', async () => {
    const p16 = await sharp({
      create: { width: 16, height: 16, channels: 3, background: { r: 10, g: 120, b: 230 } },
    })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(p16).metadata()).depth).toBe('ushort');
    const result = ok(await decodeImage(p16, options()));
    near(px(result.pixels, 16, 3, 3, 3), [10, 120, 230], 2);
  });

  it('converts CMYK JPEG to RGB', async () => {
    const cmyk = await sharp({
      create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 20, b: 30 } },
    })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const result = ok(await decodeImage(cmyk, options()));
    expect(result.meta.space).toBe('cmyk');
    near(px(result.pixels, 16, 3, 8, 8), [200, 20, 30], 30);
  });

  it('takes the first frame of an animated GIF', async () => {
    const red = await solid('png', { r: 255, g: 0, b: 0 }, 8, 8);
    const blue = await solid('png', { r: 0, g: 0, b: 255 }, 8, 8);
    const gif = await sharp([red, blue], { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const result = ok(await decodeImage(gif, options()));
    expect(result.meta).toMatchObject({ format: 'gif', width: 8, height: 8 });
    near(px(result.pixels, 16, 3, 4, 4), [255, 0, 0], 10);
  });

  it.each(['jpeg', 'png', 'webp', 'tiff', 'avif'] as const)(
    'decodes %s and names the real format',
    async (format) => {
      const result = ok(
        await decodeImage(await solid(format, { r: 40, g: 160, b: 90 }, 20, 10), options()),
      );
      expect(result.meta.format).toBe(format);
      expect([result.meta.width, result.meta.height]).toEqual([20, 10]);
      near(px(result.pixels, 16, 3, 8, 8), [40, 160, 90], 12);
    },
  );

  it('makes a WebP thumbnail that keeps the aspect ratio, at most 128 px', async () => {
    const wide = await solid('png', { r: 1, g: 2, b: 3 }, 300, 150);
    const result = ok(await decodeImage(wide, options({ size: 32 })));
    expect([result.thumbnail.width, result.thumbnail.height]).toEqual([128, 64]);
    const meta = await sharp(result.thumbnail.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 128, 64]);
    const small = ok(
      await decodeImage(await solid('png', { r: 1, g: 2, b: 3 }, 28, 28), options({ size: 32 })),
    );
    expect([small.thumbnail.width, small.thumbnail.height]).toEqual([28, 28]); // never enlarged
    expect(small.pixels.length).toBe(32 * 32 * 3); // the model input is
  });
});

describe('decodeImage: bad input is a typed failure, never a throw', () => {
  const expectFailure = async (
    data: Buffer,
    kind: string,
    reason: RegExp,
    extra: Partial<DecodeOptions> = {},
  ) => {
    const result = await decodeImage(data, options({}, extra));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.kind).toBe(kind);
      expect(result.reason).toMatch(reason);
    }
  };

  it('zero bytes', () => expectFailure(Buffer.alloc(0), 'empty', /empty/));
  it('text with an image extension', () =>
    expectFailure(Buffer.from('hello, I am not a JPEG'), 'not-an-image', /not an image/));
  it('random bytes', () =>
    expectFailure(
      Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 7919) % 256)),
      'not-an-image',
      /not an image/,
    ));

  it('a truncated JPEG', async () => {
    const jpeg = await noisy('jpeg');
    await expectFailure(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'truncated', /truncated/);
  });

  it('truncated files decoded concurrently (libvips may lose its error text then)', async () => {
    const files = await Promise.all(
      Array.from({ length: 64 }, (_, i) => noisy(i % 2 === 0 ? 'jpeg' : 'png')),
    );
    const kinds = await Promise.all(
      files.map(async (file) => {
        const result = await decodeImage(file.subarray(0, file.length >> 1), options());
        return result.ok ? 'ok' : result.kind;
      }),
    );
    expect(new Set(kinds)).toEqual(new Set(['truncated']));
  });

  it('a truncated PNG', async () => {
    const png = await noisy('png');
    await expectFailure(png.subarray(0, Math.floor(png.length / 2)), 'truncated', /truncated/);
  });

  it('a PNG whose pixel data is corrupt', async () => {
    const png = Buffer.from(await noisy('png'));
    const idat = png.indexOf('IDAT', 0, 'latin1');
    for (let i = idat + 20; i < idat + 60; i++) png[i] = (png[i] as number) ^ 0xff;
    const result = await decodeImage(png, options());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(['corrupt', 'truncated']).toContain(result.kind);
  });

  it('a 20000x20000 image is refused from its header, without allocating its pixels', async () => {
    const header = pngHeaderOnly(20000, 20000);
    expect(header.length).toBeLessThan(200);
    const before = process.memoryUsage().rss;
    await expectFailure(header, 'too-large', /20000x20000 \(400 MP\).*100 MP limit/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('the pixel limit is configurable', async () => {
    await expectFailure(await solid('png', WHITE, 16, 16), 'too-large', /16x16/, {
      maxInputPixels: 100,
    });
  });

  it('BMP content says the build cannot read BMP', async () => {
    const result = await decodeImage(tinyBmp(), options());
    if (sharp.format.magick.input.buffer) {
      expect(result.ok).toBe(true); // a build with ImageMagick would decode it
    } else {
      expect(result).toMatchObject({ ok: false, kind: 'unsupported-format' });
      if (!result.ok) expect(result.reason).toMatch(/^BMP is not supported by this build of sharp/);
    }
  });

  it('SVG content is not accepted even though libvips could render it', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    await expectFailure(svg, 'unsupported-format', /SVG/);
  });
});
