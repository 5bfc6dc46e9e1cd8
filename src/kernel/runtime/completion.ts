/** What an executor reports back when a cell is done (main.ts adds timing and sends cellFinished). */
import type { ErrorData } from '../../outputs/types.js';

export interface Completion {
  status: 'ok' | 'error';
  error?: ErrorData;
  declared: string[];
  versions?: Record<string, string>;
}
