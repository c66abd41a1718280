import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate, type MenuOptions } from '../../../main/menu';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [
    item,
    ...(Array.isArray(item.submenu) ? flatten(item.submenu as MenuItemConstructorOptions[]) : []),
  ]);
}

function template(overrides: Partial<MenuOptions> = {}) {
  const options: MenuOptions = {
    appName: 'Latent Explorer',
    platform: 'linux',
    isPackaged: true,
    onOpenFolder: vi.fn(),
    onAbout: vi.fn(),
    ...overrides,
  };
  return { options, items: flatten(buildMenuTemplate(options)) };
}

const roles = (items: MenuItemConstructorOptions[]) => items.map((i) => i.role).filter(Boolean);

describe('buildMenuTemplate', () => {
  it('has File > Open Folder… on Ctrl/Cmd+O that calls onOpenFolder', () => {
    const { options, items } = template();
    const open = items.find((i) => i.id === 'open-folder');
    expect(open?.label).toBe('Open Folder…');
    expect(open?.accelerator).toBe('CmdOrCtrl+O');
    (open?.click as () => void)();
    expect(options.onOpenFolder).toHaveBeenCalledTimes(1);
  });

  it('has Quit in File on Linux/Windows and in the app menu on macOS', () => {
    expect(roles(template({ platform: 'linux' }).items)).toContain('quit');
    expect(roles(template({ platform: 'win32' }).items)).toContain('quit');
    const mac = buildMenuTemplate({ ...template().options, platform: 'darwin' });
    expect(mac[0]?.label).toBe('Latent Explorer');
    expect(roles(flatten([mac[0]!]))).toContain('quit');
  });

  it('offers Reload and DevTools only when not packaged', () => {
    const packaged = roles(template({ isPackaged: true }).items);
    expect(packaged).not.toContain('reload');
    expect(packaged).not.toContain('forceReload');
    expect(packaged).not.toContain('toggleDevTools');
    const dev = roles(template({ isPackaged: false }).items);
    expect(dev).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']));
  });

  it('has Help > About that calls onAbout, and an Edit menu for copy/paste', () => {
    const { options, items } = template();
    const about = items.find((i) => i.label === 'About Latent Explorer');
    (about?.click as () => void)();
    expect(options.onAbout).toHaveBeenCalledTimes(1);
    expect(roles(items)).toEqual(expect.arrayContaining(['copy', 'paste', 'selectAll']));
  });
});
