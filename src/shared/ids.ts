/**
 * The one id generator of runs and sweeps: `run-20261126T090000Z-1a2b3c`. Time first, so ids sort
 * by when they were made; a random tail tells apart the runs of one second (and is what `quire
 * show` accepts as a short id).
 */
import { randomBytes } from 'node:crypto';

const timestamped = (kind: 'run' | 'sweep', at: Date): string =>
  `${kind}-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;

export const newRunId = (at: Date = new Date()): string => timestamped('run', at);

export const newSweepId = (at: Date = new Date()): string => timestamped('sweep', at);
