/**
 * The workspace's egress setting (`network.allow` in quire.config.json), read by the host when a
 * kernel starts. Most workspaces have no setting: the file is read and its JSON looked at, and
 * only a file that names `network` loads the config schema (zod), so a plain `quire run` pays
 * nothing for it. A malformed setting fails the kernel's start with the file and the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const CONFIG_FILE = 'quire.config.json';

/** The allowlist, or undefined when the workspace opens no egress. */
export async function readEgressSetting(workspace: string): Promise<string[] | undefined> {
  const file = join(workspace, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The connections' reader names the file and the JSON error where it matters.
    return undefined;
  }
  if (typeof json !== 'object' || json === null || !('network' in json)) return undefined;
  const { parseWorkspaceConfig, egressAllowList } = await import('../../connectors/host/config.js');
  return egressAllowList(parseWorkspaceConfig(text, file));
}
