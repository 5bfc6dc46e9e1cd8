/** The public API of the notebook format (DESIGN §2): parse, serialize, edit, params, durations. */
export { parseNotebook } from './parse.js';
export { serializeNotebook } from './serialize.js';
export {
  setCellSource,
  insertCell,
  deleteCell,
  moveCell,
  setCellAttributes,
  type AttributePatch,
  type NewCell,
} from './edit.js';
export { coerceParam, validateParamValue, resolveParams, isCalendarDate } from './params.js';
export { parseDuration, formatDuration } from './duration.js';
export {
  findCodeInterpolations,
  findProseInterpolations,
  InterpolationSyntaxError,
} from './interpolations.js';
export { NotebookParseError, NotebookEditError, ParamError } from './errors.js';
export type * from './types.js';
