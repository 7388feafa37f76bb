import { EddyError, type AutogradErrorCode } from '@eddy/autograd';

export { describe } from '@eddy/autograd/internal';

/**
 * The codes a caller of @eddy/models can see (README "Errors" lists when): autograd's, which pass
 * through, and models' own E_STATE_DICT (loadStateDict: missing, unexpected or mis-shaped keys —
 * see StateDictError), E_FORMAT (a malformed safetensors file) and E_DTYPE (a dtype Eddy cannot
 * read or write, or an I64 value outside int32) and E_DIVERGED (trainLoop: a loss became
 * non-finite — see DivergenceError). Models also throws E_UNSUPPORTED (exportOnnx: an option
 * the ONNX export does not write), E_ARGUMENT (an option, name or
 * value is not what the call expects, misspelt keys included), E_SHAPE and E_SCOPE.
 */
export type ModelsErrorCode = AutogradErrorCode | 'E_STATE_DICT' | 'E_FORMAT' | 'E_DTYPE' | 'E_DIVERGED';

/** A typed error with a stable `code` (an EddyError, so `instanceof EddyError` holds). */
export function fail(code: ModelsErrorCode, message: string): EddyError<ModelsErrorCode> {
  return new EddyError(code, message);
}
