import { packageConfig } from '../../vitest.shared.js';

// The site's tests build it and drive Chromium, which starts slowly on a shared machine.
export default packageConfig({ include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 180_000 });
