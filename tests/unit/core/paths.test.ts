import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../../../app/paths';

describe('resolveDataDir', () => {
  it('lets LATENT_EXPLORER_DATA_DIR win over everything', () => {
    expect(
      resolveDataDir({
        env: { LATENT_EXPLORER_DATA_DIR: '/data/le' },
        platform: 'linux',
        homedir: '/home/u',
        electronUserData: '/e',
      }),
    ).toBe('/data/le');
  });
  it('ignores a blank override', () => {
    expect(
      resolveDataDir({
        env: { LATENT_EXPLORER_DATA_DIR: '  ' },
        platform: 'linux',
        homedir: '/home/u',
      }),
    ).toBe('/home/u/.local/share/latent-explorer');
  });
  it('uses Electron userData when given', () => {
    expect(
      resolveDataDir({
        env: {},
        platform: 'linux',
        homedir: '/home/u',
        electronUserData: '/e/user',
      }),
    ).toBe('/e/user');
  });
  it('follows XDG on Linux, only for absolute paths', () => {
    expect(
      resolveDataDir({ env: { XDG_DATA_HOME: '/xdg' }, platform: 'linux', homedir: '/home/u' }),
    ).toBe('/xdg/latent-explorer');
    expect(
      resolveDataDir({ env: { XDG_DATA_HOME: 'rel' }, platform: 'linux', homedir: '/home/u' }),
    ).toBe('/home/u/.local/share/latent-explorer');
  });
  it('follows macOS and Windows conventions', () => {
    expect(resolveDataDir({ env: {}, platform: 'darwin', homedir: '/Users/u' })).toBe(
      '/Users/u/Library/Application Support/latent-explorer',
    );
    expect(
      resolveDataDir({
        env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' },
        platform: 'win32',
        homedir: 'C:\\Users\\u',
      }),
    ).toBe('C:\\Users\\u\\AppData\\Roaming\\latent-explorer');
  });
});
