/**
 * Per-folder settings kept beside the catalogue (today: the preprocessing spec each folder is
 * ingested with). A small JSON file, replaced atomically (write temp, then rename).
 */
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PreprocessSpecSchema, type PreprocessSpec } from '../contract';

interface SettingsFile {
  version: 1;
  specs: Record<string, PreprocessSpec>;
}

export class FolderSettings {
  private specs = new Map<number, PreprocessSpec>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {
    let raw: string;
    try {
      raw = readFileSync(file, 'utf8');
    } catch {
      return; // First run: no settings yet.
    }
    try {
      const parsed = JSON.parse(raw) as Partial<SettingsFile>;
      for (const [id, spec] of Object.entries(parsed.specs ?? {})) {
        const checked = PreprocessSpecSchema.safeParse(spec);
        if (checked.success) this.specs.set(Number(id), checked.data);
      }
    } catch (error) {
      // A damaged settings file must not stop the app: folders fall back to the default spec.
      console.error(`Ignoring unreadable folder settings ${file}:`, error);
    }
  }

  spec(folderId: number): PreprocessSpec | undefined {
    return this.specs.get(folderId);
  }

  async setSpec(folderId: number, spec: PreprocessSpec): Promise<void> {
    this.specs.set(folderId, spec);
    await this.save();
  }

  async forget(folderId: number): Promise<void> {
    if (this.specs.delete(folderId)) await this.save();
  }

  private save(): Promise<void> {
    const body: SettingsFile = { version: 1, specs: Object.fromEntries(this.specs) };
    const text = `${JSON.stringify(body, null, 2)}\n`;
    // Serialise writes so an older snapshot never lands after a newer one.
    this.writing = this.writing.then(async () => {
      const temp = path.join(
        path.dirname(this.file),
        `.${path.basename(this.file)}.${process.pid}.tmp`,
      );
      await writeFile(temp, text);
      await rename(temp, this.file);
    });
    return this.writing;
  }
}
