import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  classifyPath,
  extensionOf,
  formatSupport,
  sniffUnsupported,
} from '../../../app/library/formats';
import { tinyBmp } from './helpers';

describe('formats', () => {
  it('classifies paths by extension, case-insensitively', () => {
    expect(classifyPath('a/b/Photo.JPG')).toEqual({ kind: 'image', format: 'jpeg' });
    expect(classifyPath('x.jfif')).toEqual({ kind: 'image', format: 'jpeg' });
    expect(classifyPath('x.tif')).toEqual({ kind: 'image', format: 'tiff' });
    expect(classifyPath('x.avif')).toEqual({ kind: 'image', format: 'avif' });
    expect(classifyPath('x.png.txt')).toEqual({ kind: 'other' });
    expect(classifyPath('png')).toEqual({ kind: 'other' });
    expect(classifyPath('.png')).toEqual({ kind: 'other' });
    expect(extensionOf('dir.v2/file')).toBe('');
  });

  it('checks the decoder at runtime and explains what this build of sharp cannot read', () => {
    const support = Object.fromEntries(formatSupport().map((f) => [f.name, f]));
    for (const name of ['jpeg', 'png', 'webp', 'gif', 'tiff'])
      expect(support[name]?.supported).toBe(true);
    expect(support.avif?.supported).toBe(
      (sharp.format.heif.input.fileSuffix ?? []).includes('.avif'),
    );
    const bmpSupported = sharp.format.magick.input.buffer;
    expect(support.bmp?.supported).toBe(bmpSupported);
    if (!bmpSupported) {
      expect(support.bmp?.reason).toMatch(/^BMP is not supported by this build of sharp/);
      expect(classifyPath('old.BMP')).toMatchObject({
        kind: 'unsupported',
        format: 'bmp',
        reason: expect.stringMatching(/^BMP is not supported/),
      });
    }
    expect(support.heic?.supported).toBe(false);
  });

  it('recognises unsupported formats by their magic bytes', () => {
    expect(sniffUnsupported(tinyBmp())).toBe('BMP');
    const heic = Buffer.concat([
      Buffer.from([0, 0, 0, 24]),
      Buffer.from('ftypheic'),
      Buffer.alloc(12),
    ]);
    expect(sniffUnsupported(heic)).toBe('HEIC');
    expect(sniffUnsupported(Buffer.from('plain text'))).toBeNull();
  });
});
