import { EddyError } from '@eddy/autograd';

/** What `f` throws, as `CODE: message` for one-line assertions; fails the test when it throws nothing or no EddyError. */
export function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof EddyError) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error('expected an EddyError, but nothing was thrown');
}
