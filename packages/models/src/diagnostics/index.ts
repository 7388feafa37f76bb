// Diagnostics: what the lectures draw, as functions the CLI (`eddy inspect`) and the docs site call.
export { type DiagnosedModel, type DiagnosticInput, type DiagnosticState, type LayerKey } from './watch.js';
export { recordStates, type RecordStatesOptions, type RecordedLayer, type StateRecording } from './record-states.js';
export { gateStatistics, GATE_LOW, GATE_HIGH, type GateStatisticsOptions, type GateSaturation, type LayerGateStatistics, type GateStatistics } from './gate-statistics.js';
export {
  gradientThroughTime, type GradientThroughTimeOptions, type GradientLoss, type LayerGradientNorms, type GradientThroughTime,
} from './gradient-through-time.js';
export {
  spectralNorm, spectralRadius, eigenvalues, recurrentSpectra, MAX_SPECTRAL_SIZE, type SpectralNormOptions, type GateSpectrum, type LayerSpectrum,
} from './spectra.js';
export { type Eigenvalues } from './eigenvalues.js';
