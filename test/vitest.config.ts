import { packageConfig } from '../vitest.shared.js';

// Browsers start slowly on a shared machine.
export default packageConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
