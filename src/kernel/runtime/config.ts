/**
 * The runtime's configuration, passed by the host as the one JSON argument (see launch.ts).
 */
import type { RuntimeConfig } from '../launch.js';

function parse(): RuntimeConfig {
  const raw = process.argv[2];
  if (!raw) throw new Error('the kernel runtime needs its configuration as its first argument');
  return JSON.parse(raw) as RuntimeConfig;
}

export const config: RuntimeConfig = parse();
