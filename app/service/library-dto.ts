/** Maps the library's records onto the contract's DTOs. */
import type {
  FolderInfo,
  ImageEntry,
  IngestReport,
  PreprocessSpec,
  ProblemEntry,
} from '../contract';
import type {
  ImageRecord,
  IngestResult,
  Library,
  ProblemEntry as LibraryProblem,
} from '../library';

export function folderInfo(
  lib: Library,
  folderId: number,
  spec: PreprocessSpec,
): FolderInfo | null {
  const summary = lib.summary(folderId);
  if (!summary) return null;
  const scan = lib.catalogue.lastCompletedScan(folderId);
  const started = scan ? Date.parse(scan.startedAt) : NaN;
  const finished = scan?.finishedAt ? Date.parse(scan.finishedAt) : NaN;
  return {
    id: summary.folder.id,
    path: summary.folder.path,
    addedAt: summary.folder.addedAt,
    spec,
    imageCount: summary.okCount,
    uniqueCount: summary.uniqueCount,
    duplicateCount: summary.duplicateCount,
    failedCount: summary.failedCount,
    missingCount: summary.missingCount,
    skippedCount: summary.skippedCount,
    otherFileCount: scan?.otherFiles ?? 0,
    byFormat: summary.byFormat,
    totalBytes: summary.totalBytes,
    lastIngest:
      scan?.finishedAt && Number.isFinite(finished - started)
        ? { finishedAt: scan.finishedAt, durationMs: finished - started }
        : null,
  };
}

export function ingestReport(folder: FolderInfo, result: IngestResult): IngestReport {
  return {
    folder,
    processed: result.processed,
    unchanged: result.unchanged,
    failed: result.failed,
    missing: result.missing,
    skipped: result.skipped,
    durationMs: result.durationMs,
  };
}

export function imageEntry(image: ImageRecord): ImageEntry {
  return {
    id: image.id,
    folderId: image.folderId,
    relPath: image.relPath,
    size: image.size,
    width: image.width,
    height: image.height,
    format: image.format,
    status: image.status,
    errorKind: image.errorKind,
    error: image.error,
  };
}

export function problemEntry(folderId: number, problem: LibraryProblem): ProblemEntry {
  return {
    folderId,
    path: problem.path,
    kind: problem.kind,
    reason: problem.reason,
    imageId: problem.imageId,
  };
}
