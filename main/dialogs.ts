/**
 * The native dialogs the core may ask for (`dialogs` option of createExplorerService).
 */
import type { OpenDialogOptions, OpenDialogReturnValue } from 'electron';

/** The parts of Electron's `dialog` module used here. `W` is the window type (BrowserWindow). */
export interface DialogLike<W> {
  showOpenDialog(window: W, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
  showOpenDialog(options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
}

/** What the service receives: `pickFolder()` resolves to a folder path or null when cancelled. */
export interface NativeDialogs {
  pickFolder(): Promise<string | null>;
}

/** A fresh options object per call: Electron may keep a reference while the dialog is open. */
export function pickFolderOptions(): OpenDialogOptions {
  return {
    title: 'Choose a folder of images',
    buttonLabel: 'Open Folder',
    properties: ['openDirectory', 'dontAddToRecent'],
  };
}

/**
 * Folder picker attached to the current window (modal sheet on macOS) when there is one.
 * `parentWindow` is asked on every call because windows come and go.
 */
export function createNativeDialogs<W>(
  dialog: DialogLike<W>,
  parentWindow: () => W | null,
): NativeDialogs {
  return {
    async pickFolder() {
      const parent = parentWindow();
      const result =
        parent === null
          ? await dialog.showOpenDialog(pickFolderOptions())
          : await dialog.showOpenDialog(parent, pickFolderOptions());
      if (result.canceled) return null;
      return result.filePaths[0] ?? null;
    },
  };
}
