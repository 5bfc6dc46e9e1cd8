/**
 * The default kernel factory: a child-process kernel (host.ts) per request. Only the edges (the
 * CLI, the server's start, the jobs' start) name it; everything below them takes a KernelFactory.
 */
import { ProcessKernel } from './host.js';
import type { KernelFactory } from './types.js';

export const spawnKernel: KernelFactory = (spec) => new ProcessKernel(spec);
