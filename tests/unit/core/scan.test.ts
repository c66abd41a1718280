import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { imageFormatOf, scanFolder, type ScanProgress } from '../../../app/library/scan';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'le-scan-'));
});
afterEach(async () => {
  await chmod(path.join(root, 'locked'), 0o755).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
});

async function put(rel: string, bytes = 10): Promise<void> {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, Buffer.alloc(bytes, 1));
}

describe('scanFolder', () => {
  it('counts images recursively by format, skipping hidden entries', async () => {
    await put('a.png', 100);
    await put('b.JPG', 200);
    await put('nested/deeper/c.webp', 300);
    await put('nested/d.tiff', 400);
    await put('notes.txt', 5);
    await put('.hidden.png', 50);
    await put('.cache/e.png', 50);
    const info = await scanFolder(root);
    expect(info.folder).toBe(root);
    expect(info.imageCount).toBe(4);
    expect(info.byFormat).toEqual({ png: 1, jpeg: 1, webp: 1, tiff: 1 });
    expect(info.totalBytes).toBe(1000);
    expect(info.otherFileCount).toBe(1);
    expect(info.skippedCount).toBe(0);
  });

  it('survives symbolic link loops and broken links, reporting them', async () => {
    await put('photos/a.png');
    await symlink(root, path.join(root, 'photos', 'loop'));
    await symlink(path.join(root, 'missing.png'), path.join(root, 'broken.png'));
    const info = await scanFolder(root);
    expect(info.imageCount).toBe(1);
    expect(info.skipped.map((s) => path.basename(s.path)).sort()).toEqual(['broken.png', 'loop']);
    expect(info.skipped.find((s) => s.path.endsWith('loop'))?.reason).toMatch(/loop/);
    expect(info.skippedCount).toBe(2);
  });

  it('follows a link to a folder outside the tree once', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'le-outside-'));
    try {
      await writeFile(path.join(outside, 'x.gif'), 'gif');
      await symlink(outside, path.join(root, 'linked'));
      await symlink(outside, path.join(root, 'linked-again'));
      const info = await scanFolder(root);
      expect(info.byFormat).toEqual({ gif: 1 });
      expect(info.skippedCount).toBe(1);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('names the path in typed errors for missing folders and files', async () => {
    await put('file.png');
    await expect(scanFolder(path.join(root, 'nope'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Folder not found: ${path.join(root, 'nope')}`,
    });
    await expect(scanFolder(path.join(root, 'file.png'))).rejects.toMatchObject({ code: 'NOT_A_DIRECTORY' });
  });

  it.skipIf(process.getuid?.() === 0)('records unreadable subfolders instead of failing', async () => {
    await put('ok.png');
    await put('locked/secret.png');
    await chmod(path.join(root, 'locked'), 0o000);
    const info = await scanFolder(root);
    expect(info.imageCount).toBe(1);
    expect(info.skipped).toEqual([{ path: path.join(root, 'locked'), reason: 'permission denied' }]);
  });

  it('stops with CANCELLED when its signal is aborted', async () => {
    for (let i = 0; i < 600; i++) await put(`many/${i}.png`, 1);
    const controller = new AbortController();
    const seen: ScanProgress[] = [];
    const pending = scanFolder(root, {
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        seen.push(p);
        controller.abort();
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]?.filesSeen).toBeLessThan(600);
  });

  it('reports progress and finishes with a final report', async () => {
    for (let i = 0; i < 300; i++) await put(`p/${i}.jpg`, 1);
    const seen: ScanProgress[] = [];
    const info = await scanFolder(root, { progressIntervalMs: 0, onProgress: (p) => seen.push(p) });
    expect(info.imageCount).toBe(300);
    expect(seen.at(-1)).toMatchObject({ filesSeen: 300, imagesFound: 300, currentFolder: root });
  });

  it('knows image formats by extension', () => {
    expect(imageFormatOf('x.JPEG')).toBe('jpeg');
    expect(imageFormatOf('x.tif')).toBe('tiff');
    expect(imageFormatOf('x.png.txt')).toBeNull();
    expect(imageFormatOf('png')).toBeNull();
  });
});
