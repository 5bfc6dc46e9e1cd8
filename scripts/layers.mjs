// The layers of src/ and the ESLint rule that keeps imports pointing down them (DESIGN §5:
// format → analysis → graph → engine → kernel / runner → jobs → server / cli; ui → protocol only).
// eslint.config.js turns the rule on for src/; `npm run lint` fails on an import that goes up or
// sideways. scripts/check-cycles.mjs keeps files inside one unit free of circles.
//
// A unit is a folder or a few files (the longest matching path wins). `below` names the units it
// imports directly; it may import those and everything below them, itself, and `protocol` and
// `shared` (which import nothing of ours). A `private` unit is reachable only from units that name
// it directly, not through the ones above them.

/** @typedef {{ unit: string, paths: string[], below: string[], private?: boolean, why: string }} Layer */

/** @type {Layer[]} bottom to top */
export const LAYERS = [
  {
    unit: 'protocol',
    paths: ['src/protocol/'],
    below: [],
    why: 'browser <-> server schemas and shared vocabulary',
  },
  { unit: 'shared', paths: ['src/shared/'], below: [], why: 'small helpers with no import of ours' },
  { unit: 'format', paths: ['src/format/'], below: [], why: 'parse and serialize *.nb.md (pure)' },
  {
    unit: 'analysis',
    paths: ['src/analysis/'],
    below: ['format'],
    why: 'per-cell declarations, references (pure)',
  },
  { unit: 'graph', paths: ['src/graph/'], below: ['analysis'], why: 'the dataflow graph (pure)' },
  { unit: 'outputs', paths: ['src/outputs/'], below: [], why: 'MIME bundles, truncation, redaction' },
  { unit: 'secrets', paths: ['src/secrets/'], below: ['outputs'], why: 'secret sources and the redactor' },
  {
    unit: 'kernel-interface',
    paths: ['src/kernel/types.ts', 'src/kernel/protocol.ts', 'src/kernel/runtime/metric-name.ts'],
    below: ['outputs'],
    why: 'the Kernel interface and its commands/notifications: what the engine drives, kernel/ implements',
  },
  {
    unit: 'engine',
    paths: ['src/engine/'],
    below: ['graph', 'secrets', 'kernel-interface'],
    why: 'the notebook document and state, the session that performs effects',
  },
  {
    unit: 'egress-rules',
    paths: ['src/kernel/egress/allowlist.ts', 'src/kernel/egress/target.ts', 'src/kernel/egress/address.ts'],
    below: [],
    why: 'the grammar of network.allow (pure): the workspace config validates with it',
  },
  {
    unit: 'connectors/kernel',
    paths: ['src/connectors/kernel/'],
    below: ['outputs'],
    private: true,
    why: 'runs inside the kernel: DuckDB, table values; only the kernel imports it',
  },
  {
    unit: 'connectors/host',
    paths: ['src/connectors/host/'],
    below: ['outputs', 'egress-rules'],
    why: 'runs in the host: the workspace config, PostgreSQL (credentials stay here)',
  },
  {
    unit: 'kernel',
    paths: ['src/kernel/'],
    below: ['kernel-interface', 'connectors/kernel', 'connectors/host'],
    // connectors/host is below the kernel only because a kernel's start reads `network.allow` from
    // the workspace config (connectors/host/config.ts); the kernel never opens a connection.
    why: 'where code runs: the child-process host, its runtime, sandbox, egress proxy',
  },
  {
    unit: 'outputs/render',
    paths: ['src/outputs/render/'],
    below: ['kernel'],
    why: 'HTML reports and charts for exports (charts render in a sandboxed child)',
  },
  {
    unit: 'store',
    paths: ['src/store/'],
    below: ['format'],
    why: 'run metadata (SQLite/PostgreSQL) and artifacts',
  },
  {
    unit: 'auth',
    paths: ['src/auth/'],
    below: ['store'],
    why: 'accounts: users, password hashes, login sessions, API tokens, failed-login limits (tables in the store)',
  },
  {
    unit: 'metrics',
    paths: ['src/metrics/'],
    below: ['kernel'],
    why: 'Prometheus registry and the JSON log',
  },
  {
    unit: 'runner',
    paths: ['src/runner/'],
    below: ['engine', 'kernel', 'outputs/render', 'store'],
    why: 'one headless run of a notebook',
  },
  {
    unit: 'secret-store',
    paths: ['src/secrets/store.ts', 'src/secrets/store-source.ts', 'src/secrets/rotate.ts'],
    below: ['secrets', 'store'],
    why: 'the encrypted secret store: its table in the run store, and the source runs read it through',
  },
  {
    unit: 'jobs',
    paths: ['src/jobs/'],
    // auth: a run's owner is checked when it starts (auth/run-as.ts), in every process that runs it.
    below: ['runner', 'metrics', 'secret-store', 'auth'],
    why: 'schedules, the queue, alerts',
  },
  {
    unit: 'audit',
    paths: ['src/audit/'],
    below: ['store', 'metrics', 'secret-store'],
    // metrics only for the Logger a failed background write is reported with; secret-store for the
    // redactor every entry passes and the store's values it knows (DESIGN §6), and `secret.read`.
    why: 'the append-only, hash-chained audit log: entry schemas, the chain (pure), its table and writer',
  },
  {
    unit: 'server',
    paths: ['src/server/'],
    below: ['jobs', 'audit', 'auth'],
    why: 'HTTP and WebSocket transport',
  },
  { unit: 'cli', paths: ['src/cli/'], below: ['server'], why: 'the quire commands' },
  { unit: 'ui', paths: ['src/ui/'], below: [], why: 'the browser app: the protocol only' },
];

/**
 * Single imports allowed across the layers, [from, to], each with the reason and what removes it.
 * - The editor previews prose with the parser's own `${…}` scanner (one grammar, not two); this goes
 *   when the snapshot carries each prose cell's interpolation spans.
 */
export const EXCEPTIONS = [['src/ui/prose.ts', 'src/format/interpolations.ts']];

const IMPLICIT = ['protocol', 'shared'];
/** Units that do not get the implicit imports: protocol imports nothing of ours, ui no Node helper. */
const ISOLATED = { protocol: [], ui: ['protocol'] };

const byName = new Map(LAYERS.map((layer) => [layer.unit, layer]));

/** The unit of a repository-relative path, or undefined outside src/. */
export function unitOf(path) {
  let best;
  for (const layer of LAYERS)
    for (const prefix of layer.paths)
      if (
        (path === prefix || (prefix.endsWith('/') && path.startsWith(prefix))) &&
        (!best || prefix.length > best[1])
      )
        best = [layer.unit, prefix.length];
  return best?.[0];
}

/** What `unit` may import: itself, the closure of `below` (private units only when named), implicit ones. */
export function allowedFrom(unit) {
  const allowed = new Set([unit, ...(ISOLATED[unit] ?? IMPLICIT)]);
  const visit = (name, direct) => {
    const layer = byName.get(name);
    if (!layer) throw new Error(`layers: unknown unit ${name}`);
    if (layer.private && !direct) return;
    if (allowed.has(name)) return;
    allowed.add(name);
    for (const next of layer.below) visit(next, false);
  };
  for (const name of byName.get(unit)?.below ?? []) visit(name, true);
  return allowed;
}

// The table itself must point one way: a unit may not, through `below`, reach itself.
for (const layer of LAYERS) {
  const seen = new Set();
  const walk = (name) => {
    for (const next of byName.get(name).below) {
      if (next === layer.unit) throw new Error(`layers: ${layer.unit} is below itself`);
      if (seen.has(next)) continue;
      seen.add(next);
      walk(next);
    }
  };
  walk(layer.unit);
}

/** Joins a relative specifier onto a repository-relative file path (POSIX). */
function resolveRelative(from, specifier) {
  const parts = from.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/').replace(/\.js$/, '.ts');
}

/** `quire/layers`: an import in src/ must point at a unit its own unit may import. */
const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the layers of src/ (scripts/layers.mjs)' },
    schema: [],
    messages: {
      up: "{{from}} may not import {{to}} ('{{specifier}}'): the layers are in scripts/layers.mjs (DESIGN §5)",
      unknown: '{{path}} is in no layer: add its folder to the table in scripts/layers.mjs',
    },
  },
  create(context) {
    const file = context.physicalFilename.split('\\').join('/');
    const at = file.lastIndexOf('/src/');
    if (at < 0) return {};
    const path = file.slice(at + 1);
    const from = unitOf(path);
    if (!from) return { Program: (node) => context.report({ node, messageId: 'unknown', data: { path } }) };
    const allowed = allowedFrom(from);
    const check = (source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = resolveRelative(path, source.value);
      const to = unitOf(target);
      if (EXCEPTIONS.some(([a, b]) => a === path && b === target)) return;
      if (to && !allowed.has(to))
        context.report({ node: source, messageId: 'up', data: { from, to, specifier: source.value } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source.type === 'Literal' ? node.source : undefined),
    };
  },
};

export const layersPlugin = { meta: { name: 'quire-layers' }, rules: { layers: layersRule } };
