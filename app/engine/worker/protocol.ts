/**
 * Messages between the service and the engine worker processes (structured-clone serialisation,
 * so typed arrays cross as they are). Two kinds of worker run the same entry (worker-main.ts):
 * a training worker per run, and one long-lived model worker for encode/decode/evaluate, so live
 * decoding is never queued behind a training step.
 */
import type {
  ApiError,
  AttributeRequest,
  AttributeResult,
  DecodedImage,
  EvaluationReport,
  ImagePosterior,
  InterpolateRequest,
  InterpolationResult,
  LatentGridRequest,
  LatentGridResult,
  LatentMap,
  LatentSource,
  LatentSummary,
  MapMethod,
  MapPointDecode,
  NeighborsRequest,
  NeighborsResult,
  OutliersResult,
  Posterior,
  PriorSample,
  TraversalResult,
  TraverseRequest,
  CheckpointInfo,
  EngineStatus,
  EpochReport,
  ModelConfig,
  PreprocessSpec,
  StepReport,
  TrainingSettings,
  ValidationSample,
} from '../../contract';

export type WorkerMode = 'train' | 'model';

export interface TrainJob {
  runId: string;
  runDir: string;
  libraryDir: string;
  spec: PreprocessSpec;
  model: ModelConfig;
  settings: TrainingSettings;
  /** Continue from the run's checkpoint instead of starting from scratch. */
  resume: boolean;
}

export type TrainCommand =
  | { type: 'train'; job: TrainJob }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Save a checkpoint at the next step boundary and stop. */
  | { type: 'stop' };

export type TrainFinish = 'completed' | 'cancelled' | 'failed';

export type TrainEvent =
  | { type: 'ready'; engine: EngineStatus }
  | {
      type: 'started';
      trainImages: number;
      validationImages: number;
      validation: ValidationSample;
      stepsPerEpoch: number;
      totalSteps: number;
      step: number;
      epoch: number;
    }
  | { type: 'step'; report: StepReport }
  | { type: 'epoch'; report: EpochReport; bestValidationLoss: number | null }
  | { type: 'checkpoint'; checkpoint: CheckpointInfo }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'finished'; state: TrainFinish; message: string | null; error?: ApiError };

/** Where a latent operation finds the stored embeddings of its run (see app/library/embeddings.ts). */
export interface EmbeddingsRef {
  setId: number;
  /** The run's folders: only their images are part of its latent table. */
  folderIds: number[];
}

/** A {@link LatentSource} as the worker receives it (the same shape; named for clarity). */
export type WorkerSource = LatentSource;

/** Per-image results of encoding pixel-cache slots, row-major [count, dims] where it applies. */
export interface EncodedSlots {
  dims: number;
  mu: Float32Array;
  logVar: Float32Array;
  negElbo: Float32Array;
  kl: Float32Array;
}

/** The map as the worker computes it; the service stores and dates it. */
export type ComputedMap = Omit<LatentMap, 'runId' | 'step' | 'createdAt'> & {
  /** The revision of the embedding set it was computed from (see EmbeddingStore.saveMap). */
  revision: number;
  /** What decoding a map point needs besides the points (PCA: its axes). */
  decodeMeta: MapDecodeMeta;
};

export type MapDecodeMeta =
  { kind: 'pca'; mean: number[]; components: number[]; k: number } | { kind: 'points' };

/**
 * The model worker's methods, argument and result of each, in the style of the public contract
 * (`ExplorerApi`): one place says what crosses the process boundary, and both sides are typed
 * from it. Results are structured-cloned, so typed arrays cross as they are.
 */
export interface ModelMethods {
  encode: { args: { imageIds: number[] }; result: Posterior[] };
  decode: { args: { latents: number[][] }; result: DecodedImage[] };
  reconstruct: { args: { imageIds: number[] }; result: DecodedImage[] };
  samplePrior: { args: { count: number; seed?: number }; result: PriorSample };
  evaluate: {
    args: {
      folderIds: number[];
      validationFraction: number;
      iwaeSamples: number;
      maxImages?: number;
      seed?: number;
    };
    result: Omit<EvaluationReport, 'runId'>;
  };
  /** μ, log σ², single-sample −ELBO (seed 0) and KL of pixel-cache slots: the encode job's batches. */
  encodeSlots: { args: { slots: number[] }; result: EncodedSlots };
  posterior: { args: { source: WorkerSource }; result: ImagePosterior };
  neighbors: {
    args: Omit<NeighborsRequest, 'runId' | 'source'> & { source: WorkerSource };
    result: Omit<NeighborsResult, 'runId' | 'step'>;
  };
  interpolate: {
    args: Omit<InterpolateRequest, 'runId'>;
    result: Omit<InterpolationResult, 'runId'>;
  };
  traverse: { args: Omit<TraverseRequest, 'runId'>; result: Omit<TraversalResult, 'runId'> };
  latentGrid: { args: Omit<LatentGridRequest, 'runId'>; result: Omit<LatentGridResult, 'runId'> };
  latentSummary: { args: { k?: number }; result: Omit<LatentSummary, 'runId' | 'step'> };
  computeMap: { args: { method: MapMethod; seed: number }; result: ComputedMap };
  decodeMapPoint: {
    args: { method: MapMethod; x: number; y: number };
    result: MapPointDecode;
  };
  attributeVector: {
    args: Omit<AttributeRequest, 'runId'>;
    result: Omit<AttributeResult, 'runId'>;
  };
  outliers: {
    args: { limit: number; folderIds?: number[] };
    result: Omit<OutliersResult, 'runId' | 'step'>;
  };
}

export type ModelMethod = keyof ModelMethods;
export type ModelArgs<M extends ModelMethod> = ModelMethods[M]['args'];
export type ModelResult<M extends ModelMethod> = ModelMethods[M]['result'];

/** Methods that work on stored embeddings and need {@link ModelCall.embeddings}. */
export const EMBEDDING_METHODS: ReadonlySet<ModelMethod> = new Set<ModelMethod>([
  'neighbors',
  'interpolate',
  'latentSummary',
  'computeMap',
  'decodeMapPoint',
  'attributeVector',
  'outliers',
]);

/**
 * Methods that run beside the queue of the others: a map can take minutes, and yields to the
 * event loop between epochs, so decode calls (sliders) are not held up behind it.
 */
export const CONCURRENT_METHODS: ReadonlySet<ModelMethod> = new Set<ModelMethod>(['computeMap']);

export interface ModelCall<M extends ModelMethod = ModelMethod> {
  type: 'call';
  id: number;
  method: M;
  /** The run's checkpoint directory and the library, to load the model and read pixels. */
  checkpointDir: string;
  libraryDir: string;
  spec: PreprocessSpec;
  /** The stored embeddings of the run's current checkpoint, when the method uses them. */
  embeddings: EmbeddingsRef | null;
  args: ModelArgs<M>;
}

export type ModelCommand = ModelCall | { type: 'cancel'; id: number };

export type ModelEvent =
  | { type: 'ready'; engine: EngineStatus }
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: ApiError };
