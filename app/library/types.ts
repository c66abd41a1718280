/**
 * Shared types of the image library: how images are preprocessed for the model, why a file could
 * not be ingested, and the records the catalogue hands out. Plain data only, so the service can
 * map them onto contract DTOs without touching sharp or SQLite.
 */

/** An RGB colour with 0..255 components (used to flatten alpha and to pad `contain` resizes). */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** How every image is turned into the model's square input. */
export interface PreprocessSpec {
  /** Side of the square model input, in pixels (e.g. 28, 32, 64). */
  size: number;
  /** 1 = greyscale, 3 = RGB. Pixels are stored interleaved (HWC), uint8. */
  channels: 1 | 3;
  /** `cover` crops the centre to a square; `contain` pads with `background`. */
  fit: 'cover' | 'contain';
  /** Flattens transparency and fills the padding of `contain`. */
  background: Rgb;
}

export const DEFAULT_SPEC: PreprocessSpec = {
  size: 64,
  channels: 3,
  fit: 'cover',
  background: { r: 255, g: 255, b: 255 },
};

/** Why a file is not in the training set. Stable strings: the UI may group by them. */
export type FailureKind =
  | 'empty' // zero-byte file
  | 'unreadable' // the file could not be opened or read (permissions, I/O error, name too long)
  | 'file-too-big' // larger than the configured byte limit, not read at all
  | 'unsupported-format' // a real image format the installed decoder cannot read (e.g. BMP, HEIC)
  | 'not-an-image' // the content is not an image, whatever the extension says
  | 'truncated' // the image data ends early
  | 'corrupt' // the decoder rejected the data
  | 'too-large'; // the declared dimensions exceed the pixel limit (refused before decoding)

/** Kinds of walk-level problems (the entry never became an image row). */
export type SkipKind =
  | 'unreadable-folder'
  | 'unreadable-entry'
  | 'broken-symlink'
  | 'symlink-outside'
  | 'symlink-loop'
  | 'unsupported-format'
  | 'not-a-file';

export type ImageStatus = 'ok' | 'failed' | 'missing';

export interface FolderRecord {
  id: number;
  /** Absolute real path of the folder (symlinks resolved when it was added). */
  path: string;
  addedAt: string;
  lastScanId: number | null;
  /** How this folder's images are preprocessed (kept in the catalogue with the folder). */
  spec: PreprocessSpec;
}

export interface ImageRecord {
  id: number;
  folderId: number;
  /** Path relative to the folder, `/`-separated. Names that are not valid UTF-8 are shown lossily. */
  relPath: string;
  size: number;
  mtimeMs: number;
  /** sha256 of the file content (hex); null when the file could not be read. */
  hash: string | null;
  status: ImageStatus;
  errorKind: FailureKind | null;
  error: string | null;
  /** Decoded format (jpeg, png, webp, gif, tiff, avif); null unless the image decoded. */
  format: string | null;
  /** Dimensions after EXIF orientation; null unless the image decoded. */
  width: number | null;
  height: number | null;
}

/** One entry of the "skipped" list shown to the user. */
export interface ProblemEntry {
  /** Path relative to the folder. */
  path: string;
  kind: FailureKind | SkipKind;
  reason: string;
  /** Set when the problem belongs to an image row. */
  imageId: number | null;
}

export interface DuplicateGroup {
  hash: string;
  images: { id: number; folderId: number; relPath: string }[];
}

export interface FolderSummary {
  folder: FolderRecord;
  /** Images that decoded (duplicates included). */
  okCount: number;
  failedCount: number;
  missingCount: number;
  /** Walk-level problems (unreadable folders, unsupported formats, broken links...). */
  skippedCount: number;
  /** Distinct contents among the ok images. */
  uniqueCount: number;
  /** Ok images whose content also appears earlier in the folder. */
  duplicateCount: number;
  byFormat: Record<string, number>;
  /** Bytes of the ok images. */
  totalBytes: number;
}
