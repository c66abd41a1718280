import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FolderUnavailableError,
  walkFolder,
  type WalkEvent,
  type WalkOptions,
} from '../../../app/library/walk';
import { IS_ROOT, makeFifo, makeTempDir, put, putNonUtf8 } from './helpers';

let root: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir: root, cleanup } = await makeTempDir('walk'));
});
afterEach(async () => {
  await chmod(path.join(root, 'locked'), 0o755).catch(() => undefined);
  await cleanup();
});

async function collect(options?: WalkOptions, at = root): Promise<WalkEvent[]> {
  const events: WalkEvent[] = [];
  for await (const event of walkFolder(at, options)) events.push(event);
  return events;
}

const files = (events: WalkEvent[]) =>
  events.filter((e) => e.type === 'file').map((e) => e.relPath);
const problems = (events: WalkEvent[]) =>
  events
    .flatMap((e) => (e.type === 'problem' ? [{ path: e.relPath, kind: e.kind }] : []))
    .sort((a, b) => a.path.localeCompare(b.path));

describe('walkFolder', () => {
  it('walks nested folders in name order with sizes, skipping hidden and housekeeping entries', async () => {
    await put(root, 'b.png', 'bb');
    await put(root, 'a.jpg', 'a');
    await put(root, 'sub/deeper/c.webp', 'ccc');
    await put(root, 'sub/d.txt', 'd');
    await put(root, '.hidden.png', 'h');
    await put(root, '.thumbs/e.png', 'e');
    await put(root, '@eaDir/a.jpg/SYNOFILE_THUMB_M.jpg', 'synology');
    const events = await collect();
    expect(files(events)).toEqual(['a.jpg', 'b.png', 'sub/d.txt', 'sub/deeper/c.webp']);
    const c = events.find((e) => e.type === 'file' && e.relPath.endsWith('c.webp'));
    expect(c).toMatchObject({ size: 3, absPath: path.join(root, 'sub/deeper/c.webp') });
    expect(problems(events)).toEqual([]);
  });

  it('survives a symlink loop and reports it once', async () => {
    await put(root, 'photos/a.png', 'a');
    await symlink(root, path.join(root, 'photos', 'loop'));
    await symlink('.', path.join(root, 'photos', 'self'));
    const events = await collect();
    expect(files(events)).toEqual(['photos/a.png']);
    expect(problems(events)).toEqual([
      { path: 'photos/loop', kind: 'symlink-loop' },
      { path: 'photos/self', kind: 'symlink-loop' },
    ]);
  });

  it('reports broken symlinks', async () => {
    await symlink(path.join(root, 'nowhere.png'), path.join(root, 'broken.png'));
    expect(problems(await collect())).toEqual([{ path: 'broken.png', kind: 'broken-symlink' }]);
  });

  it('follows links out of the folder by default, and refuses them with within-root', async () => {
    const outside = await makeTempDir('walk-outside');
    try {
      await put(outside.dir, 'x.png', 'x');
      await symlink(outside.dir, path.join(root, 'linked'));
      await symlink(path.join(outside.dir, 'x.png'), path.join(root, 'file-link.png'));
      expect(files(await collect())).toEqual(['file-link.png', 'linked/x.png']);
      const strict = await collect({ symlinks: 'within-root' });
      expect(files(strict)).toEqual([]);
      expect(problems(strict)).toEqual([
        { path: 'file-link.png', kind: 'symlink-outside' },
        { path: 'linked', kind: 'symlink-outside' },
      ]);
      expect(files(await collect({ symlinks: 'skip' }))).toEqual([]);
    } finally {
      await outside.cleanup();
    }
  });

  it('finds files whose names are not valid UTF-8 and gives a usable path', async (ctx) => {
    const name = await putNonUtf8(root, Buffer.from('x'));
    if (!name) ctx.skip('this file system does not accept non-UTF-8 names');
    const [event] = await collect();
    expect(event?.type).toBe('file');
    if (event?.type !== 'file') return;
    expect(event.key.equals(name as Buffer)).toBe(true);
    expect(Buffer.isBuffer(event.absPath)).toBe(true);
    expect(event.relPath).toBe('photo-\uFFFD.png');
    expect(event.size).toBe(1);
  });

  it('handles very long names', async () => {
    const long = `${'é'.repeat(120)}.png`; // 245 bytes in UTF-8, close to the usual 255 limit
    await put(root, `deep/${'n'.repeat(200)}/${long}`, 'x');
    expect(files(await collect())).toEqual([`deep/${'n'.repeat(200)}/${long}`]);
  });

  it('reports FIFOs instead of opening them', async (ctx) => {
    if (!makeFifo(path.join(root, 'pipe.jpg'))) ctx.skip('mkfifo is not available');
    expect(problems(await collect())).toEqual([{ path: 'pipe.jpg', kind: 'not-a-file' }]);
  });

  it('reports an unreadable subfolder and keeps going', async (ctx) => {
    await put(root, 'ok.png', 'x');
    await put(root, 'locked/secret.png', 'x');
    await chmod(path.join(root, 'locked'), 0o000);
    const events = await collect();
    if (IS_ROOT) {
      // root reads through chmod 000: nothing to report, which is right for root.
      ctx.skip('running as root: chmod 000 does not block reads');
    }
    expect(files(events)).toEqual(['ok.png']);
    const problem = events.find((e) => e.type === 'problem');
    expect(problem).toMatchObject({ relPath: 'locked', kind: 'unreadable-folder', folder: true });
    expect(problem?.type === 'problem' && problem.reason).toMatch(/permission denied/);
  });

  it('throws FolderUnavailableError for a missing folder or a file', async () => {
    await expect(collect({}, path.join(root, 'nope'))).rejects.toBeInstanceOf(
      FolderUnavailableError,
    );
    await writeFile(path.join(root, 'f.png'), 'x');
    await expect(collect({}, path.join(root, 'f.png'))).rejects.toMatchObject({
      code: 'NOT_A_DIRECTORY',
    });
  });

  it('stops when aborted', async () => {
    for (let i = 0; i < 20; i++) await mkdir(path.join(root, `d${i}`));
    const controller = new AbortController();
    const seen: WalkEvent[] = [];
    await put(root, 'd0/a.png', 'x');
    const walking = (async () => {
      for await (const event of walkFolder(root, { signal: controller.signal })) {
        seen.push(event);
        controller.abort();
      }
    })();
    await expect(walking).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen).toHaveLength(1);
  });
});
