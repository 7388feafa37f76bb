import { MAX_WEIGHT, type DivergenceError } from '@eddy/models';
import { CliError } from '../../errors.js';

/**
 * The one sentence every training command ends with when `trainLoop` reports divergence. The
 * weights that gave a non-finite loss, or that ran away, were not saved: it says which checkpoint on
 * disk is kept — the last one this run wrote, or the one it resumed from (never checked by this run).
 */
export function divergenceError(
  e: DivergenceError,
  where: { out: string; lastSavedStep: number | null; resumedStep: number | null; lr: number },
): CliError {
  const { out, lastSavedStep, resumedStep, lr } = where;
  const kept = lastSavedStep === null
    ? 'no checkpoint had been written yet'
    : lastSavedStep === resumedStep ? `the checkpoint it resumed from (step ${lastSavedStep}) is kept in ${out}` : `the last good checkpoint (step ${lastSavedStep}) is kept in ${out}`;
  const what = e.what === 'largest weight' && Number.isFinite(e.value)
    ? `the largest weight reached ${e.value.toExponential(2)} (more than ${MAX_WEIGHT.toExponential(0).replace('+', '')} counts as diverged)`
    : `the ${e.what} became ${e.value}`;
  return new CliError(`training stopped at step ${e.step} because ${what}; ${kept} — lower --lr (now ${lr}) or set --clip, then train again.`);
}
