/** Builds small folders of real image files for the e2e tests. */
import { mkdir, mkdtemp, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

async function tinyImage(format: 'png' | 'jpeg', seed: number): Promise<Buffer> {
  const image = sharp({
    create: {
      width: 8,
      height: 8,
      channels: 3,
      background: { r: (seed * 70) % 256, g: (seed * 130) % 256, b: 200 },
    },
  });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 80 }).toBuffer();
}

export interface ImageFolder {
  root: string;
  imageCount: number;
  byFormat: Record<string, number>;
  /** Bytes of the image files the scanner counts. */
  imageBytes: number;
  otherFileCount: number;
  /** The entry the scanner cannot read, and so lists as skipped. */
  brokenLink: string;
}

/**
 * 3 PNG + 1 JPEG (two of them in nested folders), one text file, one hidden PNG (which the
 * scanner ignores) and one broken symbolic link named like an image (which it lists as skipped).
 */
export async function makeImageFolder(): Promise<ImageFolder> {
  const root = await mkdtemp(path.join(tmpdir(), 'le-e2e-images-'));
  await mkdir(path.join(root, 'nested', 'deeper'), { recursive: true });
  const images: [string, 'png' | 'jpeg'][] = [
    ['a.png', 'png'],
    ['b.png', 'png'],
    ['nested/deeper/c.png', 'png'],
    ['nested/d.jpg', 'jpeg'],
  ];
  let imageBytes = 0;
  for (const [i, [name, format]] of images.entries()) {
    const file = path.join(root, name);
    await writeFile(file, await tinyImage(format, i));
    imageBytes += (await stat(file)).size;
  }
  await writeFile(path.join(root, 'notes.txt'), 'not an image\n');
  await writeFile(path.join(root, '.secret.png'), await tinyImage('png', 9));
  const brokenLink = path.join(root, 'missing.png');
  await symlink(path.join(root, 'does-not-exist.png'), brokenLink);
  return {
    root,
    imageCount: 4,
    byFormat: { png: 3, jpeg: 1 },
    imageBytes,
    otherFileCount: 1,
    brokenLink,
  };
}
