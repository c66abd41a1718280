/**
 * The library facade the service wires into the contract: one catalogue (SQLite) plus the pixel
 * caches, under a data directory chosen by the caller, holding any number of image folders.
 *
 *   <dataDir>/catalogue.sqlite        images, contents + thumbnails, problems, scans, slots
 *   <dataDir>/pixels/<spec>.bin       preprocessed pixels per spec (see pixel-cache.ts)
 *
 * Every method is safe to call from the service's main thread: catalogue calls are short
 * synchronous SQLite statements; long work (ingest) is async, batched and cancellable.
 */
import { mkdir, rename } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { ExplorerError } from '../contract';
import { Catalogue } from './catalogue';
import { EmbeddingStore } from './embeddings';
import { readLegacyFolderSpecs, removeLegacyFolderSettings } from './legacy-folder-settings';
import {
  ingestFolder,
  type IngestControl,
  type IngestOptions,
  type IngestResult,
  type IngestStore,
} from './ingest';
import { PixelCacheError, PixelCacheFile, specKey } from './pixel-cache';
import { PathRefusedError, resolveLibraryFile } from './paths';
import * as queries from './queries';
import type {
  DuplicateGroup,
  FolderRecord,
  FolderSummary,
  ImageRecord,
  PreprocessSpec,
  ProblemEntry,
} from './types';
import { resolveFolder } from './walk';

export const CATALOGUE_FILE = 'catalogue.sqlite';
export const PIXELS_DIR = 'pixels';

export interface OpenLibraryOptions {
  /** Read-only access (e.g. from a training process): no migrations, no writes. */
  readOnly?: boolean;
  /**
   * Where earlier versions kept the folders' preprocessing specs: imported by the migration to
   * schema 2, then removed. Ignored when read-only.
   */
  legacyFolderSettings?: string;
}

export interface TrainingSet {
  spec: PreprocessSpec;
  recordBytes: number;
  /** One image per distinct content; the same order as `slots`. */
  imageIds: number[];
  hashes: string[];
  slots: number[];
}

export class LibraryBusyError extends ExplorerError {
  constructor(message: string) {
    super('BUSY', message);
    this.name = 'LibraryBusyError';
  }
}

export class Library implements IngestStore {
  private readonly caches = new Map<string, Promise<{ id: number; file: PixelCacheFile }>>();
  private readonly ingesting = new Set<number>();
  private closed = false;
  /** Latent embeddings per run and checkpoint step, and their cached 2-D maps (embeddings.ts). */
  readonly embeddings: EmbeddingStore;

  private constructor(
    readonly dataDir: string,
    readonly catalogue: Catalogue,
    readonly readOnly: boolean,
  ) {
    this.embeddings = new EmbeddingStore(catalogue.db, readOnly);
  }

  static async open(dataDir: string, options: OpenLibraryOptions = {}): Promise<Library> {
    if (!isAbsolute(dataDir))
      throw new TypeError(`the data directory must be an absolute path, got "${dataDir}"`);
    const readOnly = options.readOnly ?? false;
    if (readOnly) {
      return new Library(dataDir, new Catalogue(join(dataDir, CATALOGUE_FILE), { readOnly }), true);
    }
    await mkdir(join(dataDir, PIXELS_DIR), { recursive: true });
    const legacy = options.legacyFolderSettings;
    const catalogue = new Catalogue(join(dataDir, CATALOGUE_FILE), {
      migration:
        legacy !== undefined ? { legacyFolderSpecs: () => readLegacyFolderSpecs(legacy) } : {},
    });
    // The migration has committed (or ran before a crash left the file behind): it is done with.
    if (legacy !== undefined) removeLegacyFolderSettings(legacy);
    return new Library(dataDir, catalogue, false);
  }

  // ------------------------------------------------------------------------------- folders
  /**
   * Registers a folder (idempotent: the same real path gives the same record) with the spec its
   * images are preprocessed with; without one, a known folder keeps its spec.
   */
  async addFolder(path: string, spec?: PreprocessSpec): Promise<FolderRecord> {
    this.assertWritable();
    if (!isAbsolute(path)) throw new TypeError(`folder must be an absolute path, got "${path}"`);
    const real = await resolveFolder(path);
    if (!isUtf8(real))
      throw new TypeError(`folder path "${real.toString('utf8')}" is not valid UTF-8`);
    return this.catalogue.addFolder(real.toString('utf8'), spec);
  }

  getFolder(id: number): FolderRecord | null {
    return this.catalogue.getFolder(id);
  }

  listFolders(): FolderRecord[] {
    return this.catalogue.listFolders();
  }

  /** Forgets a folder and everything recorded for it. The image files are not touched. */
  removeFolder(id: number): boolean {
    this.assertWritable();
    if (this.ingesting.size > 0)
      throw new LibraryBusyError('cannot remove a folder while an ingest is running');
    return this.catalogue.removeFolder(id);
  }

  /** Deletes the rows of images marked missing in a folder. */
  purgeMissing(folderId: number): number {
    this.assertWritable();
    return this.catalogue.purgeMissing(folderId);
  }

  // ------------------------------------------------------------------------------- ingest
  /** Scans a folder (path or record) and ingests new or changed images. See ingest.ts. */
  ingest(
    folder: string | FolderRecord,
    options: IngestOptions,
    control?: IngestControl,
  ): Promise<IngestResult> {
    this.assertWritable();
    return ingestFolder(this, folder, options, control);
  }

  beginIngest(folderId: number): () => void {
    if (this.ingesting.has(folderId))
      throw new LibraryBusyError(`folder ${folderId} is already being ingested`);
    this.ingesting.add(folderId);
    return () => this.ingesting.delete(folderId);
  }

  /** Opens (once) the pixel cache file of a spec, discarding stale or damaged files. */
  openPixelCache(spec: PreprocessSpec): Promise<{ id: number; file: PixelCacheFile }> {
    const key = specKey(spec);
    let pending = this.caches.get(key);
    if (!pending) {
      pending = this.doOpenPixelCache(spec);
      this.caches.set(key, pending);
      pending.catch(() => this.caches.delete(key));
    }
    return pending;
  }

  private async doOpenPixelCache(
    spec: PreprocessSpec,
  ): Promise<{ id: number; file: PixelCacheFile }> {
    const path = join(this.dataDir, PIXELS_DIR, `${specKey(spec)}.bin`);
    if (this.readOnly) {
      const row = this.catalogue.findPixelCache(spec);
      if (!row) throw new PixelCacheError(`no pixels were ever prepared for ${specKey(spec)}`);
      return { id: row.id, file: await PixelCacheFile.open(path, spec, { readOnly: true }) };
    }
    const row = this.catalogue.pixelCache(spec);
    let file: PixelCacheFile;
    try {
      file = await PixelCacheFile.open(path, spec);
    } catch (error) {
      if (!(error instanceof PixelCacheError)) throw error;
      // A damaged or foreign file: keep it aside for inspection and start afresh.
      await rename(path, `${path}.damaged-${Date.now()}`);
      file = await PixelCacheFile.open(path, spec);
    }
    // A new file, or one shorter than the slots committed: the slot map is stale.
    if (
      row.reserved > 0 &&
      (file.created || (await file.slotCapacity()) < this.maxCommittedSlot(row.id) + 1)
    ) {
      this.catalogue.resetPixelCache(row.id);
    }
    return { id: row.id, file };
  }

  private maxCommittedSlot(cacheId: number): number {
    const row = this.catalogue.db
      .prepare<[number], { m: number | null }>(
        'SELECT MAX(slot) AS m FROM pixel_records WHERE cache_id = ?',
      )
      .get(cacheId);
    return row?.m ?? -1;
  }

  // ------------------------------------------------------------------------------- queries
  summary(folderId: number): FolderSummary | null {
    const folder = this.catalogue.getFolder(folderId);
    return folder ? queries.summarizeFolder(this.catalogue.db, folder) : null;
  }

  listImages(req?: queries.ImagePageRequest): { total: number; images: ImageRecord[] } {
    return queries.listImages(this.catalogue.db, req);
  }

  getImage(id: number): ImageRecord | null {
    return queries.getImage(this.catalogue.db, id);
  }

  /** The WebP thumbnail of an image: what the thumbnails route serves (no file access). */
  getThumbnail(imageId: number): queries.ThumbnailData | null {
    return queries.getThumbnail(this.catalogue.db, imageId);
  }

  listProblems(
    folderId: number,
    page?: { offset?: number; limit?: number; kind?: string },
  ): { total: number; byKind: Record<string, number>; problems: ProblemEntry[] } {
    return queries.listProblems(this.catalogue.db, folderId, page);
  }

  listDuplicates(folderId?: number): DuplicateGroup[] {
    return queries.listDuplicates(this.catalogue.db, folderId);
  }

  /**
   * The pixel-cache slot of each image (duplicates share one), for images that decoded with
   * `spec`. Images without pixels for it are absent from the map.
   */
  slotsOf(spec: PreprocessSpec, imageIds: readonly number[]): Map<number, number> {
    const row = this.catalogue.findPixelCache(spec);
    return row ? queries.slotsOf(this.catalogue.db, row.id, imageIds) : new Map();
  }

  /** The distinct ok images with pixels for `spec`, and their slots in the pixel cache. */
  trainingSet(spec: PreprocessSpec, folderIds?: readonly number[]): TrainingSet {
    const row = this.catalogue.findPixelCache(spec);
    const set = row
      ? queries.trainingSet(this.catalogue.db, row.id, folderIds)
      : { imageIds: [], hashes: [], slots: [] };
    return { spec, recordBytes: spec.size * spec.size * spec.channels, ...set };
  }

  /** Reads the pixels of `slots` (from `trainingSet`) into one HWC uint8 buffer. */
  async readPixels(
    spec: PreprocessSpec,
    slots: readonly number[],
    into?: Uint8Array,
  ): Promise<Uint8Array> {
    const cache = await this.openPixelCache(spec);
    return cache.file.read(slots, into);
  }

  /** The real path of an image's file, checked to be inside its folder. */
  async resolveImageFile(imageId: number): Promise<string> {
    const key = queries.getImageKey(this.catalogue.db, imageId);
    const folder = key ? this.catalogue.getFolder(key.folderId) : null;
    if (!key || !folder)
      throw new PathRefusedError(`image ${imageId}`, 'no such image', 'NOT_FOUND');
    if (!isUtf8(key.key))
      throw new PathRefusedError(`image ${imageId}`, 'its file name is not valid UTF-8');
    return resolveLibraryFile(folder.path, key.key.toString('utf8'));
  }

  /** Closes the catalogue and cache files. Cancel running ingests first (else BUSY). */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.ingesting.size > 0) {
      throw new LibraryBusyError(
        'cannot close the library while an ingest is running: cancel it first',
      );
    }
    this.closed = true;
    const caches = [...this.caches.values()];
    this.caches.clear();
    for (const pending of caches) {
      const cache = await pending.catch(() => null);
      await cache?.file.close();
    }
    this.catalogue.close();
  }

  private assertWritable(): void {
    if (this.closed) throw new Error('the library is closed');
    if (this.readOnly) throw new Error('the library was opened read-only');
  }
}

export function openLibrary(dataDir: string, options?: OpenLibraryOptions): Promise<Library> {
  return Library.open(dataDir, options);
}
