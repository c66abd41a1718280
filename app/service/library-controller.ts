/**
 * The library side of the service: opens the catalogue of the data directory lazily, runs
 * ingests as jobs (each folder with the preprocessing spec the catalogue keeps for it), and
 * serves thumbnails and originals. A reader (a process without the writer lock) opens the
 * catalogue read-only and changes nothing.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import path from 'node:path';
import {
  ExplorerError,
  PreprocessSpecSchema,
  type AddFolderRequest,
  type DemoDataset,
  type FolderInfo,
  type ImagePage,
  type IngestReport,
  type LibraryState,
  type ListImagesRequest,
  type ListProblemsRequest,
  type MediaKind,
  type PreprocessSpec,
  type ProblemPage,
  type RescanRequest,
} from '../contract';
import {
  DEFAULT_SPEC,
  formatSupport,
  type FolderRecord,
  type IngestOptions,
  type Library,
  type OpenLibraryOptions,
} from '../library';
import { DEMOS, ensureDemoDataset } from '../library/demo';
import { CATALOGUE_FILE } from '../library/library';
import { dataDirLayout } from '../paths';
import type { EventBus } from './event-bus';
import type { JobRunner } from './jobs';
import { folderInfo, imageEntry, ingestReport, problemEntry } from './library-dto';

export interface MediaFile {
  data: Uint8Array;
  mime: string;
}

const ANNOUNCE_INTERVAL_MS = 1000;

/** Originals larger than this are not sent to the UI (it shows the thumbnail instead). */
const MAX_ORIGINAL_BYTES = 64 * 1024 * 1024;
const ORIGINAL_MIME: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
};

export interface LibraryControllerDeps {
  dataDir: string;
  openLibrary: (dir: string, options: OpenLibraryOptions) => Promise<Library>;
  /** True in a process without the writer lock: the catalogue is opened read-only. */
  readOnly: boolean;
  events: EventBus;
  jobs: JobRunner;
  /** Where Fashion-MNIST's IDX files are (tests point it at fixtures). */
  fashionMnistSource?: string;
  /** Tuning passed to every ingest (concurrency, limits, progress interval). */
  ingest?: IngestTuning;
}

export type IngestTuning = Partial<Omit<IngestOptions, 'spec' | 'retryFailed'>>;

export class LibraryController {
  private library: Promise<Library> | null = null;
  private readonly layout;

  constructor(private readonly deps: LibraryControllerDeps) {
    this.layout = dataDirLayout(deps.dataDir);
  }

  /** A reader in a data directory no writer has used yet has no catalogue to open. */
  private noCatalogueYet(): boolean {
    return this.deps.readOnly && !existsSync(path.join(this.layout.library, CATALOGUE_FILE));
  }

  private assertWriter(): void {
    if (this.deps.readOnly) {
      throw new ExplorerError(
        'UNSUPPORTED',
        `This process opened ${this.deps.dataDir} read-only: only the process holding its writer lock can change the library.`,
      );
    }
  }

  /** The catalogue (opened on first use; read-only in a reader process). */
  open(): Promise<Library> {
    return this.lib();
  }

  private lib(): Promise<Library> {
    if (this.noCatalogueYet()) {
      return Promise.reject(
        new ExplorerError(
          'NOT_FOUND',
          `There is no library in ${this.deps.dataDir} yet: add a folder first (latent-explorer ingest <folder>).`,
        ),
      );
    }
    const options: OpenLibraryOptions = this.deps.readOnly
      ? { readOnly: true }
      : { legacyFolderSettings: this.layout.legacyFolderSettings };
    this.library ??= this.deps.openLibrary(this.layout.library, options).catch((error: unknown) => {
      this.library = null; // Let a later call retry (e.g. after the user freed disk space).
      throw error;
    });
    return this.library;
  }

  private info(lib: Library, folderId: number): FolderInfo {
    const spec: PreprocessSpec = lib.getFolder(folderId)?.spec ?? DEFAULT_SPEC;
    const info = folderInfo(lib, folderId, spec);
    if (!info)
      throw new ExplorerError('NOT_FOUND', `No folder with id ${folderId} in the library.`, {
        folderId,
      });
    return info;
  }

  async state(): Promise<LibraryState> {
    const lib = this.noCatalogueYet() ? null : await this.lib();
    return {
      folders: lib ? lib.listFolders().map((f) => this.info(lib, f.id)) : [],
      formats: formatSupport().map((f) => ({
        format: f.name,
        supported: f.supported,
        ...(f.reason !== undefined ? { reason: f.reason } : {}),
      })),
      defaultSpec: DEFAULT_SPEC,
    };
  }

  private async announce(): Promise<void> {
    this.deps.events.emit('library:changed', await this.state());
  }

  async addFolder(req: AddFolderRequest): Promise<IngestReport> {
    this.assertWriter();
    const lib = await this.lib();
    // The folder and its spec are written in one catalogue transaction.
    const record = await lib.addFolder(
      path.resolve(req.folder),
      req.spec !== undefined ? PreprocessSpecSchema.parse(req.spec) : undefined,
    );
    await this.announce();
    return this.ingest(lib, record, false);
  }

  private async ingest(
    lib: Library,
    record: FolderRecord,
    retryFailed: boolean,
  ): Promise<IngestReport> {
    let lastAnnounce = Date.now();
    const job = this.deps.jobs.start('ingest', `Ingesting ${record.path}`, 'images', (ctx) =>
      lib.ingest(
        record,
        { ...this.deps.ingest, spec: record.spec, retryFailed },
        {
          signal: ctx.signal,
          onProgress: (p) => {
            ctx.progress(p.done, p.total, p.current ?? undefined, {
              folderId: record.id,
              seen: p.seen,
              failed: p.failed,
              unchanged: p.unchanged,
              skipped: p.skipped,
            });
            // Folder counts grow while the ingest commits its batches; tell the UI now and then.
            if (Date.now() - lastAnnounce >= ANNOUNCE_INTERVAL_MS) {
              lastAnnounce = Date.now();
              this.announce().catch((error: unknown) =>
                console.error('Cannot announce the library:', error),
              );
            }
          },
        },
      ),
    );
    try {
      const result = await job.result;
      return ingestReport(this.info(lib, record.id), result);
    } finally {
      // Also after a cancel or failure: what was ingested before it stays, and the UI shows it.
      await this.announce().catch((error: unknown) =>
        console.error('Cannot announce the library:', error),
      );
    }
  }

  async rescan(req: RescanRequest): Promise<IngestReport[]> {
    this.assertWriter();
    const lib = await this.lib();
    const folders =
      req?.folderId !== undefined ? [this.folder(lib, req.folderId)] : lib.listFolders();
    const reports: IngestReport[] = [];
    for (const folder of folders)
      reports.push(await this.ingest(lib, folder, req?.retryFailed ?? false));
    return reports;
  }

  private folder(lib: Library, folderId: number): FolderRecord {
    const folder = lib.getFolder(folderId);
    if (!folder)
      throw new ExplorerError('NOT_FOUND', `No folder with id ${folderId} in the library.`, {
        folderId,
      });
    return folder;
  }

  async removeFolder(folderId: number): Promise<LibraryState> {
    this.assertWriter();
    const lib = await this.lib();
    this.folder(lib, folderId);
    lib.removeFolder(folderId);
    const state = await this.state();
    this.deps.events.emit('library:changed', state);
    return state;
  }

  async listImages(req: ListImagesRequest): Promise<ImagePage> {
    const lib = await this.lib();
    if (req?.folderId !== undefined) this.folder(lib, req.folderId);
    const offset = req?.offset ?? 0;
    const page = lib.listImages({
      offset,
      limit: req?.limit ?? 200,
      ...(req?.folderId !== undefined ? { folderId: req.folderId } : {}),
      ...(req?.status !== undefined ? { status: req.status } : {}),
    });
    return { total: page.total, offset, images: page.images.map(imageEntry) };
  }

  async listProblems(req: ListProblemsRequest): Promise<ProblemPage> {
    const lib = await this.lib();
    this.folder(lib, req.folderId);
    const offset = req.offset ?? 0;
    const page = lib.listProblems(req.folderId, {
      offset,
      limit: req.limit ?? 200,
      ...(req.kind !== undefined ? { kind: req.kind } : {}),
    });
    return {
      total: page.total,
      offset,
      byKind: page.byKind,
      problems: page.problems.map((p) => problemEntry(req.folderId, p)),
    };
  }

  async openDemo(dataset: DemoDataset): Promise<IngestReport> {
    this.assertWriter();
    const def = DEMOS[dataset];
    const job = this.deps.jobs.start('demo', `Preparing the ${dataset} demo`, 'images', (ctx) =>
      ensureDemoDataset(dataset, this.layout.demo, {
        signal: ctx.signal,
        onProgress: (done, total) => ctx.progress(done, total),
        ...(this.deps.fashionMnistSource !== undefined
          ? { fashionMnistSource: this.deps.fashionMnistSource }
          : {}),
      }),
    );
    const folder = await job.result;
    return this.addFolder({ folder, spec: def.spec });
  }

  async readMedia(kind: MediaKind, imageId: number): Promise<MediaFile | null> {
    const lib = await this.lib();
    if (kind === 'thumb') {
      const thumb = lib.getThumbnail(imageId);
      return thumb ? { data: thumb.data, mime: thumb.mime } : null;
    }
    const image = lib.getImage(imageId);
    if (!image) return null;
    if (image.status !== 'ok') {
      throw new ExplorerError(
        'UNSUPPORTED',
        `${image.relPath} could not be ingested (${image.error ?? 'failed'}), so there is no image to show.`,
      );
    }
    const file = await lib.resolveImageFile(imageId);
    const info = await stat(file);
    if (info.size > MAX_ORIGINAL_BYTES) {
      throw new ExplorerError(
        'UNSUPPORTED',
        `${file} is larger than ${MAX_ORIGINAL_BYTES / 1048576} MiB; showing its thumbnail only.`,
      );
    }
    const mime = image.format !== null ? ORIGINAL_MIME[image.format] : undefined;
    if (mime !== undefined) return { data: await readFile(file), mime };
    // Formats browsers cannot show (TIFF): a PNG with the orientation applied, as ingest saw it.
    const png = await sharp(file, { limitInputPixels: 100_000_000 }).rotate().png().toBuffer();
    return { data: png, mime: 'image/png' };
  }

  async close(): Promise<void> {
    if (this.library === null) return;
    const lib = await this.library.catch(() => null);
    this.library = null;
    await lib?.close();
  }
}
