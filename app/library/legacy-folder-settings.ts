/**
 * Earlier versions kept each folder's preprocessing spec in `folder-settings.json` beside the
 * catalogue (`{ version: 1, specs: { "<folderId>": PreprocessSpec } }`). Catalogue migration 2
 * imports it into the folders table; the file is removed once that has committed.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { PreprocessSpecSchema } from '../contract';

/** Folder id -> spec JSON from the old file; empty when there is none or it is unreadable. */
export function readLegacyFolderSpecs(file: string): Map<number, string> {
  const specs = new Map<number, string>();
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return specs; // No old settings (the usual case).
  }
  try {
    const parsed = JSON.parse(raw) as { specs?: Record<string, unknown> };
    for (const [id, spec] of Object.entries(parsed.specs ?? {})) {
      const checked = PreprocessSpecSchema.safeParse(spec);
      if (checked.success && /^\d+$/.test(id)) specs.set(Number(id), JSON.stringify(checked.data));
    }
  } catch (error) {
    // As before: a damaged file must not stop the app; its folders get the default spec.
    console.error(`Ignoring unreadable folder settings ${file}:`, error);
  }
  return specs;
}

/** Removes the old file once the catalogue holds its contents. */
export function removeLegacyFolderSettings(file: string): void {
  if (existsSync(file)) rmSync(file, { force: true });
}
