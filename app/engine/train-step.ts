/**
 * One optimisation step of the VAE, and the bookkeeping a training loop needs around it.
 *
 * A step runs `lossAndGradients` (forward.ts) and Adam's `applyGradients` inside one `tf.tidy`,
 * reads the loss terms back as plain numbers and advances the step counter and the seeded ε
 * sequence. Nothing tensor-shaped escapes to the caller.
 */
import * as tf from '@tensorflow/tfjs';
import { batchTensor, lossAndGradients, type BatchInput } from './forward';
import { annealedBeta } from './loss';
import { trainableVariables, type Vae } from './model/vae';
import { SeedSequence, type RngState } from './rng';

export type { BatchInput } from './forward';

/** A tensor with a name, as Adam's getWeights/setWeights use them (not re-exported by tfjs). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export interface TrainOptions {
  /** Adam learning rate. Default 1e-3. */
  learningRate?: number;
  /** KL weight after warm-up. Default 1. */
  beta?: number;
  /** Steps of linear β warm-up from 0. Default 0 (off). */
  warmupSteps?: number;
  /** Per-dimension KL floor in nats. Default 0 (off). */
  freeBits?: number;
  /** Base seed of the ε sequence. Default 0. */
  seed?: number;
}

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const DEFAULT_ADAM: AdamSettings = {
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
};

/** Where a trainer stands; saved with checkpoints. */
export interface TrainerState {
  /** Optimisation steps completed. */
  step: number;
  /** Epochs completed (maintained by the caller's data loop). */
  epoch: number;
  rng: RngState;
}

export interface StepMetrics {
  /** Index of this step (0-based; equals the number of steps completed before it). */
  step: number;
  batchSize: number;
  /** Optimised objective (with β and free bits), nats per image. */
  loss: number;
  reconstruction: number;
  kl: number;
  /** reconstruction + kl, nats per image. */
  negElbo: number;
  klPerDim: Float32Array;
  /** β used for this step (after warm-up). */
  beta: number;
  ms: number;
  imagesPerSec: number;
}

export class VaeTrainer {
  readonly vae: Vae;
  readonly adam: AdamSettings;
  private opt: tf.AdamOptimizer;
  private readonly options: Required<Omit<TrainOptions, 'learningRate' | 'seed'>>;
  private readonly rng: SeedSequence;
  private stepCount: number;
  /** Epochs completed; the data loop advances it. */
  epoch: number;

  /**
   * @param vae the model to train (stays owned by the caller).
   * @param resume where a checkpointed run stood, and its Adam settings; `options.learningRate`
   *   overrides the saved learning rate. Restore Adam's moments with {@link setOptimizerWeights}.
   */
  constructor(
    vae: Vae,
    options: TrainOptions = {},
    resume?: { state: TrainerState; adam?: AdamSettings },
  ) {
    this.vae = vae;
    const lr = options.learningRate ?? resume?.adam?.learningRate ?? DEFAULT_ADAM.learningRate;
    if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`learningRate must be > 0 (got ${lr}).`);
    this.adam = { ...DEFAULT_ADAM, ...resume?.adam, learningRate: lr };
    this.options = {
      beta: options.beta ?? 1,
      warmupSteps: options.warmupSteps ?? 0,
      freeBits: options.freeBits ?? 0,
    };
    this.opt = this.newOptimizer();
    this.rng = new SeedSequence(resume?.state.rng ?? options.seed ?? 0);
    this.stepCount = resume?.state.step ?? 0;
    this.epoch = resume?.state.epoch ?? 0;
  }

  private newOptimizer(): tf.AdamOptimizer {
    return tf.train.adam(
      this.adam.learningRate,
      this.adam.beta1,
      this.adam.beta2,
      this.adam.epsilon,
    );
  }

  get optimizer(): tf.AdamOptimizer {
    return this.opt;
  }

  /**
   * Adam's state as named tensors (`iter`, then first moments, then second moments), for
   * checkpoints. The caller must dispose only the returned `iter` tensor (the first entry): the
   * others are the optimizer's live variables.
   */
  async optimizerWeights(): Promise<NamedTensor[]> {
    return this.opt.getWeights();
  }

  /**
   * Replaces Adam's state with saved weights (as returned by {@link optimizerWeights}). Checks
   * they fit this model's variables. The input tensors stay owned by the caller.
   */
  async setOptimizerWeights(weights: NamedTensor[]): Promise<void> {
    const vars = trainableVariables(this.vae);
    const moments = weights.slice(1);
    if (weights[0]?.name !== 'iter' || moments.length !== 2 * vars.length) {
      throw new Error(
        `Optimizer state has ${weights.length} tensors; this model needs 1 + 2 x ${vars.length} (iter, m, v).`,
      );
    }
    moments.forEach((w, i) => {
      const v = vars[i % vars.length] as tf.Variable;
      if (!tf.util.arraysEqual(w.tensor.shape, v.shape)) {
        throw new Error(
          `Optimizer slot '${w.name}' has shape [${w.tensor.shape}], variable '${v.name}' has [${v.shape}].`,
        );
      }
    });
    const fresh = this.newOptimizer();
    await fresh.setWeights(weights);
    this.opt.dispose();
    this.opt = fresh;
  }

  get step(): number {
    return this.stepCount;
  }

  getState(): TrainerState {
    return { step: this.stepCount, epoch: this.epoch, rng: this.rng.getState() };
  }

  /** β the next step will use. */
  currentBeta(): number {
    return annealedBeta(this.options, this.stepCount);
  }

  /** Runs one Adam step on `batch` (see {@link BatchInput} for ownership). */
  trainStep(batch: BatchInput): StepMetrics {
    const start = performance.now();
    const beta = this.currentBeta();
    const seed = this.rng.next();
    const result = tf.tidy(() => {
      const x = batchTensor(this.vae, batch);
      const { terms, grads } = lossAndGradients(this.vae, x, {
        seed,
        beta,
        freeBits: this.options.freeBits,
      });
      this.opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      const values = {
        n: x.shape[0],
        loss: terms.total.dataSync()[0] as number,
        reconstruction: terms.reconstruction.dataSync()[0] as number,
        kl: terms.kl.dataSync()[0] as number,
        negElbo: terms.negElbo.dataSync()[0] as number,
        klPerDim: terms.klPerDim.dataSync() as Float32Array,
      };
      tf.dispose([terms.reconstruction, terms.kl, terms.negElbo, terms.klPerDim]);
      return values;
    });
    if (!Number.isFinite(result.loss)) {
      throw new Error(
        `The loss became ${result.loss} at step ${this.stepCount}; try a lower learning rate.`,
      );
    }
    const ms = performance.now() - start;
    const metrics: StepMetrics = {
      step: this.stepCount,
      batchSize: result.n,
      loss: result.loss,
      reconstruction: result.reconstruction,
      kl: result.kl,
      negElbo: result.negElbo,
      klPerDim: Float32Array.from(result.klPerDim),
      beta,
      ms,
      imagesPerSec: ms > 0 ? (result.n * 1000) / ms : 0,
    };
    this.stepCount++;
    return metrics;
  }

  /** Frees the optimizer's slots. The VAE stays with its owner. */
  dispose(): void {
    this.opt.dispose();
  }
}
