import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkRelativePath,
  PathRefusedError,
  resolveLibraryFile,
} from '../../../app/library/paths';
import { makeTempDir } from './helpers';

let base: string;
let library: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir: base, cleanup } = await makeTempDir('paths'));
  library = path.join(base, 'library');
  await mkdir(path.join(library, 'sub'), { recursive: true });
  await writeFile(path.join(library, 'a.png'), 'a');
  await writeFile(path.join(library, 'sub', 'b c.png'), 'b');
  await writeFile(path.join(library, '..dots.png'), 'dots');
  await writeFile(path.join(base, 'secret.txt'), 'secret');
  await mkdir(path.join(base, 'library-evil'));
  await writeFile(path.join(base, 'library-evil', 'x.png'), 'x');
  await symlink(path.join(base, 'secret.txt'), path.join(library, 'leak.png'));
  await symlink(base, path.join(library, 'up'));
  await symlink(path.join(library, 'a.png'), path.join(library, 'inner-link.png'));
});
afterAll(() => cleanup());

const refused = async (requested: string, reason?: RegExp) => {
  const attempt = resolveLibraryFile(library, requested);
  await expect(attempt).rejects.toBeInstanceOf(PathRefusedError);
  await expect(attempt).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  if (reason) await expect(attempt).rejects.toThrow(reason);
};

describe('resolveLibraryFile', () => {
  it('resolves files inside the library to their real path', async () => {
    await expect(resolveLibraryFile(library, 'a.png')).resolves.toBe(path.join(library, 'a.png'));
    await expect(resolveLibraryFile(library, 'sub/b c.png')).resolves.toBe(
      path.join(library, 'sub', 'b c.png'),
    );
    await expect(resolveLibraryFile(library, '..dots.png')).resolves.toBe(
      path.join(library, '..dots.png'),
    );
    await expect(resolveLibraryFile(library, 'inner-link.png')).resolves.toBe(
      path.join(library, 'a.png'),
    );
  });

  it('refuses parent traversal in every spelling', async () => {
    await refused('../secret.txt', /\.\./);
    await refused('sub/../../secret.txt');
    await refused('sub/../a.png'); // even when it would stay inside: ".." is never accepted
    await refused('..');
    await refused('../library-evil/x.png');
  });

  it('refuses absolute paths', async () => {
    await refused(path.join(base, 'secret.txt'), /absolute/);
    await refused('/etc/passwd', /absolute/);
    await refused('C:/Windows/win.ini', /absolute/);
    await refused('c:secret', /absolute/);
  });

  it('refuses encoded traversal, backslashes and NUL bytes', async () => {
    await refused('%2e%2e/secret.txt', /percent-encoded/);
    await refused('%2E%2E%2Fsecret.txt', /percent-encoded/);
    await refused('..%2fsecret.txt');
    await refused('%252e%252e/secret.txt', /percent-encoded/);
    await refused('sub%5c..%5c..%5csecret.txt');
    await refused('..\\secret.txt', /backslash/);
    await refused('sub\\b c.png', /backslash/);
    await refused('a.png\0.txt', /NUL/);
  });

  it('refuses empty, "." and doubled-slash segments', async () => {
    await refused('', /empty/);
    await refused('./a.png');
    await refused('sub//b c.png');
    await refused('sub/');
  });

  it('refuses symbolic links that point outside the library', async () => {
    await refused('leak.png', /symbolic link/);
    await refused('up/secret.txt', /symbolic link/);
    // What counts is where the file really is: back inside through an outside link is harmless.
    await expect(resolveLibraryFile(library, 'up/library/a.png')).resolves.toBe(
      path.join(library, 'a.png'),
    );
  });

  it('answers NOT_FOUND for safe paths that do not exist, and refuses folders', async () => {
    await expect(resolveLibraryFile(library, 'nope.png')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(resolveLibraryFile(library, 'a.png/x')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await refused('sub', /not a regular file/);
  });

  it('checkRelativePath returns the segments of a safe path', () => {
    expect(checkRelativePath('a/b/c.png')).toEqual(['a', 'b', 'c.png']);
    expect(() => checkRelativePath('a/../b')).toThrow(PathRefusedError);
  });
});
