/**
 * The "New run" form: which folders to train on and the settings a user changed. Every setting
 * is optional; an empty field means "let the core choose" and the form shows the choice it will
 * make as the placeholder. Problems the core reports (BAD_REQUEST, naming the field) are shown
 * next to that field, others above the buttons.
 */
import type { FolderInfo, PreprocessSpec } from '$contract/api';
import type { TrainingDefaults } from '$contract/training';
import { api } from '../api';
import { ExplorerError } from '$contract/errors';
import type { TrainingRequest } from '$contract/schemas';
import { rgbToHex } from '../lib/format';
import { describeError } from './errors.svelte';
import { library } from './library.svelte';
import { training } from './training.svelte';

export type NumberField =
  | 'latentDim'
  | 'epochs'
  | 'beta'
  | 'batchSize'
  | 'learningRate'
  | 'warmupSteps'
  | 'freeBits'
  | 'validationFraction'
  | 'earlyStoppingPatience'
  | 'checkpointEverySteps'
  | 'seed'
  | 'gaussianSigma';

/** Fields that live under `model` in the request. */
const MODEL_FIELDS = new Set<string>(['latentDim', 'gaussianSigma']);

export function specKey(spec: PreprocessSpec): string {
  return `${spec.size}/${spec.channels}/${spec.fit}/${rgbToHex(spec.background)}`;
}

/** The core's defaults for a model input, flattened for the form's placeholders. */
type Defaults = TrainingDefaults['model'] & TrainingDefaults['settings'];

/** Shown until the core has answered (a fraction of a second). */
const LOADING = new Proxy({} as Record<string, unknown>, {
  get: (_target, key) => (key === 'widths' ? ['…'] : '…'),
}) as unknown as Defaults;

/** What the core picks for each empty field, asked once per model input and architecture. */
class DefaultsCache {
  private byKey = $state<Record<string, Defaults>>({});
  private asked = new Set<string>();

  get(spec: PreprocessSpec | null, architecture: 'conv' | 'mlp'): Defaults {
    const size = Math.min(128, Math.max(28, spec?.size ?? 64));
    const channels = spec?.channels ?? 3;
    const key = `${size}/${channels}/${architecture}`;
    const known = this.byKey[key];
    if (known) return known;
    if (!this.asked.has(key)) {
      this.asked.add(key);
      // Asynchronous: the state changes after the call, never while a $derived is computed.
      api.trainingDefaults({ size, channels, architecture }).then(
        (d) => (this.byKey = { ...this.byKey, [key]: { ...d.model, ...d.settings } }),
        () => this.asked.delete(key),
      );
    }
    return LOADING;
  }
}

const defaultsCache = new DefaultsCache();

function emptyNumbers(): Record<NumberField, number | null> {
  return {
    latentDim: null,
    epochs: null,
    beta: null,
    batchSize: null,
    learningRate: null,
    warmupSteps: null,
    freeBits: null,
    validationFraction: null,
    earlyStoppingPatience: null,
    checkpointEverySteps: null,
    seed: null,
    gaussianSigma: null,
  };
}

class TrainingForm {
  open = $state(false);
  folderIds = $state<number[]>([]);
  numbers = $state(emptyNumbers());
  architecture = $state<'' | 'conv' | 'mlp'>('');
  likelihood = $state<'' | 'bernoulli' | 'gaussian'>('');
  /** Comma-separated layer widths, e.g. `32, 64`; empty = default. */
  widths = $state('');
  submitting = $state(false);
  /** A problem not tied to one field (e.g. the library is empty). */
  formError = $state<{ code: string | null; message: string } | null>(null);
  fieldErrors = $state<Record<string, string>>({});

  chosen = $derived(library.folders.filter((f) => this.folderIds.includes(f.id)));
  spec = $derived(this.chosen[0]?.spec ?? library.folders[0]?.spec ?? null);
  defaults = $derived(defaultsCache.get(this.spec, this.architecture || 'conv'));

  widthsError = $derived.by(() => {
    const text = this.widths.trim();
    if (text === '') return null;
    const parts = text.split(/[\s,]+/).filter(Boolean);
    const ok = parts.every((p) => /^\d+$/.test(p) && +p >= 1 && +p <= 1024);
    if (!ok || parts.length > 6) return 'Up to 6 whole numbers between 1 and 1024, e.g. 32, 64.';
    return null;
  });

  /** Opens the form with the folders of the first model input selected. */
  show(): void {
    const first = library.folders[0];
    this.folderIds = first
      ? library.folders.filter((f) => specKey(f.spec) === specKey(first.spec)).map((f) => f.id)
      : [];
    this.formError = null;
    this.fieldErrors = {};
    this.open = true;
  }

  /** A folder can join the selection only if it has the same model input as the others. */
  compatible(folder: FolderInfo): boolean {
    const first = this.chosen[0];
    return !first || specKey(first.spec) === specKey(folder.spec);
  }

  toggleFolder(folderId: number, checked: boolean): void {
    const rest = this.folderIds.filter((id) => id !== folderId);
    this.folderIds = checked ? [...rest, folderId] : rest;
  }

  request(): TrainingRequest {
    const req: TrainingRequest = {};
    const model: NonNullable<TrainingRequest['model']> = {};
    if (this.folderIds.length > 0) req.folderIds = [...this.folderIds];
    for (const [key, value] of Object.entries(this.numbers) as [NumberField, number | null][]) {
      if (value === null || !Number.isFinite(value)) continue;
      if (MODEL_FIELDS.has(key)) (model as Record<string, number>)[key] = value;
      else (req as Record<string, unknown>)[key] = value;
    }
    if (this.architecture) model.architecture = this.architecture;
    if (this.likelihood) model.likelihood = this.likelihood;
    if (this.widths.trim() && !this.widthsError) {
      model.widths = this.widths
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(Number);
    }
    if (Object.keys(model).length > 0) req.model = model;
    return req;
  }

  async submit(): Promise<boolean> {
    if (this.submitting || this.widthsError) return false;
    this.submitting = true;
    this.formError = null;
    this.fieldErrors = {};
    try {
      await training.startRun(this.request());
      this.open = false;
      return true;
    } catch (error) {
      this.#showError(error);
      return false;
    } finally {
      this.submitting = false;
    }
  }

  #showError(error: unknown): void {
    const issues =
      error instanceof ExplorerError && error.code === 'BAD_REQUEST'
        ? ((error.details?.issues as { path: string[]; message: string }[] | undefined) ?? [])
        : [];
    const fields: Record<string, string> = {};
    for (const issue of issues) {
      // `model.latentDim` -> latentDim, `folderIds.0` -> folderIds.
      const field = issue.path[0] === 'model' ? issue.path[1] : issue.path[0];
      if (field) fields[field] = issue.message;
    }
    this.fieldErrors = fields;
    this.formError = describeError(error);
  }
}

export const trainingForm = new TrainingForm();
