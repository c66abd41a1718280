/**
 * Public API of the image library (see docs in library.ts and ingest.ts). The service wires
 * `openLibrary` / `Library` into the contract; transports use `resolveLibraryFile` or
 * `Library.getThumbnail` and nothing else from here.
 */
export {
  Library,
  LibraryBusyError,
  openLibrary,
  type OpenLibraryOptions,
  type TrainingSet,
} from './library';
export {
  defaultConcurrency,
  ingestFolder,
  type IngestControl,
  type IngestOptions,
  type IngestProgress,
  type IngestResult,
} from './ingest';
export {
  decodeImage,
  DEFAULT_DECODE_LIMITS,
  type DecodeOptions,
  type DecodeResult,
  type ImageMeta,
} from './decode';
export {
  EmbeddingStore,
  type EmbeddingRow,
  type EmbeddingSetInfo,
  type StoredEmbeddings,
  type StoredMap,
} from './embeddings';
export { classifyPath, formatSupport, type FormatInfo } from './formats';
export { checkRelativePath, PathRefusedError, resolveLibraryFile } from './paths';
export {
  PixelCacheError,
  PixelCacheFile,
  recordBytesOf,
  specKey,
  validateSpec,
} from './pixel-cache';
export { CatalogueVersionError, SCHEMA_VERSION } from './schema';
export { FolderUnavailableError, walkFolder, type SymlinkPolicy, type WalkEvent } from './walk';
export type { ThumbnailData, ImagePageRequest } from './queries';
export type { ScanRecord } from './catalogue';
export {
  renderShape,
  sampleFactors,
  SHAPE_COLOURS,
  SHAPE_KINDS,
  writeShapesDataset,
  type ShapeFactors,
  type ShapesDatasetEntry,
} from './shapes';
export * from './types';
