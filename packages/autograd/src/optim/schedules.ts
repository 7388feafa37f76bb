import { checkOptions, fail, optionKeys } from '../backend.js';
import { NON_NEGATIVE, POSITIVE, checkHyper, show, type Optimizer } from './optimizer.js';

// Learning-rate schedules with torch.optim.lr_scheduler's semantics: construct after the
// optimizer (the schedule records its lr as the base), call `step()` once after each epoch. The
// epochic schedules set lr from PyTorch's closed forms, so their whole state is the epoch count
// and a resumed run (loadStateDict) continues exactly.

/** A schedule's serialisable state. */
export type SchedulerStateDict = Record<string, number | string>;

/** Base of the epochic schedules: lr = f(epoch, baseLr), epoch 0 at construction. */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** The optimizer's lr when the schedule was made (PyTorch's initial_lr). */
  baseLr: number;
  /** Epochs stepped so far (PyTorch's last_epoch, 0 right after construction). */
  lastEpoch = 0;
  protected abstract readonly type: string;

  protected constructor(optimizer: Optimizer, op: string) {
    if (optimizer === null || typeof optimizer !== 'object' || typeof optimizer.lr !== 'number') {
      throw fail('E_ARGUMENT', `${op}: expected an optimizer, got ${show(optimizer)}`);
    }
    this.optimizer = optimizer;
    this.baseLr = checkHyper(op, 'optimizer.lr', optimizer.lr, NON_NEGATIVE);
  }

  /** The learning rate at `epoch` (closed form). */
  abstract lrAt(epoch: number): number;

  /** Advances one epoch and sets the optimizer's lr. */
  step(): void {
    this.lastEpoch += 1;
    this.optimizer.lr = this.lrAt(this.lastEpoch);
  }

  /** The lr the schedule last set (PyTorch's get_last_lr). */
  getLastLr(): number {
    return this.lrAt(this.lastEpoch);
  }

  stateDict(): SchedulerStateDict {
    return { type: this.type, baseLr: this.baseLr, lastEpoch: this.lastEpoch };
  }

  /** Restores the epoch count and base lr, and sets the optimizer's lr to match. */
  loadStateDict(dict: SchedulerStateDict): void {
    const op = `${this.type}.loadStateDict`;
    if (dict === null || typeof dict !== 'object' || dict.type !== this.type) {
      throw fail('E_ARGUMENT', `${op}: expected a ${this.type} state dict, got ${show(dict?.type)}`);
    }
    const epoch = dict.lastEpoch as number;
    if (!Number.isInteger(epoch) || epoch < 0) throw fail('E_ARGUMENT', `${op}: lastEpoch must be a non-negative integer, got ${show(epoch)}`);
    this.baseLr = checkHyper(op, 'baseLr', dict.baseLr, NON_NEGATIVE);
    this.lastEpoch = epoch;
    this.optimizer.lr = this.lrAt(epoch);
  }
}

function checkPositiveInt(op: string, name: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw fail('E_ARGUMENT', `${op}: ${name} must be an integer >= 1, got ${show(value)}`);
  return value as number;
}

/** Multiplies lr by γ every `stepSize` epochs (torch StepLR): γ_e = γ₀ · gamma^⌊e / stepSize⌋. */
export class StepLR extends LRScheduler {
  protected readonly type = 'StepLR';
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer, 'StepLR');
    checkOptions('StepLR', options, ['stepSize', 'gamma']);
    this.stepSize = checkPositiveInt('StepLR', 'stepSize', options?.stepSize);
    this.gamma = checkHyper('StepLR', 'gamma', options.gamma ?? 0.1, NON_NEGATIVE);
  }

  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** Multiplies lr by γ every epoch (torch ExponentialLR): γ_e = γ₀ · gammaᵉ. */
export class ExponentialLR extends LRScheduler {
  protected readonly type = 'ExponentialLR';
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: { gamma: number }) {
    super(optimizer, 'ExponentialLR');
    checkOptions('ExponentialLR', options, ['gamma']);
    this.gamma = checkHyper('ExponentialLR', 'gamma', options?.gamma, NON_NEGATIVE);
  }

  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** epoch;
  }
}

/**
 * Cosine annealing without restarts (Loshchilov & Hutter 2017; torch CosineAnnealingLR, closed
 * form): γ_e = η_min + (γ₀ − η_min)(1 + cos(π e / T_max)) / 2. Past T_max the cosine continues
 * (lr rises again), as PyTorch's closed form does.
 */
export class CosineAnnealingLR extends LRScheduler {
  protected readonly type = 'CosineAnnealingLR';
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer, 'CosineAnnealingLR');
    checkOptions('CosineAnnealingLR', options, ['tMax', 'etaMin']);
    this.tMax = checkPositiveInt('CosineAnnealingLR', 'tMax', options?.tMax);
    this.etaMin = checkHyper('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, NON_NEGATIVE);
  }

  lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** lr ← lr · factor on a plateau, factor ∈ [0, 1), default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing, default 10. */
  patience?: number;
  /** Minimum change that counts as an improvement, default 1e-4. */
  threshold?: number;
  /** 'rel': improvement relative to the best (best·(1 ∓ threshold)); 'abs': best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again, default 0. */
  cooldown?: number;
  /** Lower bound on lr, default 0. */
  minLr?: number;
  /** Reductions smaller than eps are skipped, default 1e-8. */
  eps?: number;
}

const REDUCE_ON_PLATEAU_OPTIONS = optionKeys<ReduceLROnPlateauOptions>({
  mode: true, factor: true, patience: true, threshold: true, thresholdMode: true, cooldown: true, minLr: true, eps: true,
});

/**
 * Reduces lr by `factor` when a metric has stopped improving for more than `patience` epochs
 * (torch ReduceLROnPlateau); `step(metric)` after each epoch's evaluation.
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  /** Best metric so far (±∞ before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const op = 'ReduceLROnPlateau';
    if (optimizer === null || typeof optimizer !== 'object' || typeof optimizer.lr !== 'number') {
      throw fail('E_ARGUMENT', `${op}: expected an optimizer, got ${show(optimizer)}`);
    }
    this.optimizer = optimizer;
    checkOptions(op, options, REDUCE_ON_PLATEAU_OPTIONS);
    this.mode = options.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') throw fail('E_ARGUMENT', `${op}: mode must be "min" or "max", got ${show(this.mode)}`);
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') {
      throw fail('E_ARGUMENT', `${op}: thresholdMode must be "rel" or "abs", got ${show(this.thresholdMode)}`);
    }
    this.factor = checkHyper(op, 'factor', options.factor ?? 0.1, { min: 0, max: 1, maxOpen: true });
    const patience = options.patience ?? 10;
    if (!Number.isInteger(patience) || patience < 0) throw fail('E_ARGUMENT', `${op}: patience must be an integer >= 0, got ${show(patience)}`);
    this.patience = patience;
    const cooldown = options.cooldown ?? 0;
    if (!Number.isInteger(cooldown) || cooldown < 0) throw fail('E_ARGUMENT', `${op}: cooldown must be an integer >= 0, got ${show(cooldown)}`);
    this.cooldown = cooldown;
    this.threshold = checkHyper(op, 'threshold', options.threshold ?? 1e-4, NON_NEGATIVE);
    this.minLr = checkHyper(op, 'minLr', options.minLr ?? 0, NON_NEGATIVE);
    this.eps = checkHyper(op, 'eps', options.eps ?? 1e-8, POSITIVE);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `metric` improves on the best so far by more than the threshold. */
  private isBetter(metric: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? metric < best * (1 - threshold) : metric < best - threshold;
    return this.thresholdMode === 'rel' ? metric > best * (1 + threshold) : metric > best + threshold;
  }

  /** Records this epoch's metric and reduces lr after more than `patience` epochs without improvement. */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) {
      throw fail('E_ARGUMENT', `ReduceLROnPlateau.step: metric must be a number, got ${show(metric)}`);
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during cooldown are ignored
    }
    if (this.numBadEpochs > this.patience) {
      const old = this.optimizer.lr;
      const next = Math.max(old * this.factor, this.minLr);
      if (old - next > this.eps) this.optimizer.lr = next;
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  getLastLr(): number {
    return this.optimizer.lr;
  }

  /** The counters and best metric; ±∞ is stored as a string so the dict survives JSON. */
  stateDict(): SchedulerStateDict {
    return {
      type: 'ReduceLROnPlateau',
      best: Number.isFinite(this.best) ? this.best : String(this.best),
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lr: this.optimizer.lr,
    };
  }

  loadStateDict(dict: SchedulerStateDict): void {
    const op = 'ReduceLROnPlateau.loadStateDict';
    if (dict === null || typeof dict !== 'object' || dict.type !== 'ReduceLROnPlateau') {
      throw fail('E_ARGUMENT', `${op}: expected a ReduceLROnPlateau state dict, got ${show(dict?.type)}`);
    }
    const best = typeof dict.best === 'string' ? Number(dict.best) : dict.best;
    const counts = [dict.numBadEpochs, dict.cooldownCounter, dict.lastEpoch];
    if (Number.isNaN(best) || !counts.every((c) => Number.isInteger(c) && (c as number) >= 0)) {
      throw fail('E_ARGUMENT', `${op}: malformed state dict`);
    }
    this.optimizer.lr = checkHyper(op, 'lr', dict.lr, NON_NEGATIVE);
    this.best = best;
    [this.numBadEpochs, this.cooldownCounter, this.lastEpoch] = counts as number[];
  }
}
