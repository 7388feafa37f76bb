import { fail as failWith, type AutogradErrorCode, type EddyError } from '@eddy/autograd';

export { describe } from '@eddy/autograd';

// The codes @eddy/models throws (all in EddyErrorCode): E_ARGUMENT (an option, name or value is
// not what the call expects, misspelt keys included), E_SHAPE, E_SCOPE (a parameter used after the
// scope it was created in freed it), E_STATE_DICT (loadStateDict: missing, unexpected or
// mis-shaped keys — see StateDictError), E_FORMAT (a malformed safetensors file), E_DTYPE (a dtype
// Eddy cannot read or write, or an I64 value outside int32).
export type ModelsErrorCode = AutogradErrorCode;

/** A typed error with a stable `code` (an EddyError, so `instanceof EddyError` holds). */
export function fail(code: ModelsErrorCode, message: string): EddyError {
  return failWith(code, message);
}
