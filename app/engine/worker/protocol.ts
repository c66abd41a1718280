/**
 * Messages between the service and the engine worker processes (structured-clone serialisation,
 * so typed arrays cross as they are). Two kinds of worker run the same entry (worker-main.ts):
 * a training worker per run, and one long-lived model worker for encode/decode/evaluate, so live
 * decoding is never queued behind a training step.
 */
import type {
  ApiError,
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

export type ModelMethod = 'encode' | 'decode' | 'reconstruct' | 'samplePrior' | 'evaluate';

export interface ModelCall {
  type: 'call';
  id: number;
  method: ModelMethod;
  /** The run's checkpoint directory and the library, to load the model and read pixels. */
  checkpointDir: string;
  libraryDir: string;
  spec: PreprocessSpec;
  args: unknown;
}

export type ModelCommand = ModelCall | { type: 'cancel'; id: number };

export type ModelEvent =
  | { type: 'ready'; engine: EngineStatus }
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: ApiError };
