/**
 * The application menu as a plain template (Menu.buildFromTemplate turns it into a menu in
 * shell.ts). Reload and DevTools exist only in development builds.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuOptions {
  appName: string;
  platform: NodeJS.Platform;
  /** `app.isPackaged`: installed builds get no Reload / DevTools. */
  isPackaged: boolean;
  onOpenFolder(): void;
  onAbout(): void;
}

const separator: MenuItemConstructorOptions = { type: 'separator' };

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];

  if (isMac) {
    template.push({
      label: options.appName,
      submenu: [
        { label: `About ${options.appName}`, click: () => options.onAbout() },
        separator,
        { role: 'services' },
        separator,
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        separator,
        { role: 'quit' },
      ],
    });
  }

  template.push({
    label: '&File',
    submenu: [
      {
        id: 'open-folder',
        label: 'Open Folder…',
        accelerator: 'CmdOrCtrl+O',
        click: () => options.onOpenFolder(),
      },
      separator,
      isMac ? { role: 'close' } : { role: 'quit', label: 'Quit' },
    ],
  });

  // Without an Edit menu, copy/paste shortcuts do not work in text fields on macOS.
  template.push({
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  });

  const developer: MenuItemConstructorOptions[] = options.isPackaged
    ? []
    : [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, separator];
  template.push({
    label: '&View',
    submenu: [
      ...developer,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  });

  template.push({
    role: 'windowMenu',
  });

  template.push({
    role: 'help',
    label: '&Help',
    submenu: [{ label: `About ${options.appName}`, click: () => options.onAbout() }],
  });

  return template;
}
