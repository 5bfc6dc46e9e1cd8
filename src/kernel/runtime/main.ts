/**
 * The kernel process's entry point (runs inside the child, never in the host; built into one
 * bundled file, dist/kernel/runtime.mjs). It installs output capture, the addon guard, the timers
 * and the globals, opens the channel, then runs commands one at a time. Startup stays minimal: no
 * zod, DuckDB or output helpers until a cell needs them.
 */
import './once.js';
import { writeSync } from 'node:fs';
import { EXIT_MARKER } from '../exit-reason.js';
import type { KernelCommand } from '../protocol.js';
import { guardAddons } from './addons.js';
import { installCapture } from './capture.js';
import { endCell, flushStreams, withCell, writeStream } from './cell.js';
import { openChannel, send, settleConnection } from './channel.js';
import type { Completion } from './completion.js';
import { config } from './config.js';
import { runningCell } from './context.js';
import { describeUncaught, toErrorData } from './errors.js';
import { installGlobals } from './globals.js';
import { executeJs } from './js.js';
import { flushMetrics } from './metrics.js';
import { renderProse } from './prose.js';
import { Scope } from './scope.js';
import { executeSql } from './sql.js';
import { answerTablePage } from './table-page.js';
import { embeddedEngine } from './sql-engine.js';
import { adoptTimers, cancelTimers, installTimers } from './timers.js';

type CellCommand = Extract<KernelCommand, { execution: string }>;

const scope = new Scope();
let queue: Promise<void> = Promise.resolve();

function execute(command: CellCommand): Promise<Completion> {
  switch (command.type) {
    case 'executeJs':
      return executeJs(command, scope);
    case 'executeSql':
      return executeSql(command, scope);
    case 'renderProse':
      return renderProse(command, scope);
  }
}

function runCell(command: CellCommand): Promise<void> {
  const started = performance.now();
  const { execution, cellId } = command;
  return withCell(execution, cellId, config.outputCapBytes, command.secrets, async (cell) => {
    adoptTimers(cell);
    let completion: Completion;
    try {
      completion = await execute(command);
    } catch (error) {
      completion = { status: 'error', error: toErrorData(error), declared: [] };
    }
    endCell(cell);
    // Before cellFinished: the host takes a cell's metrics only while it runs.
    flushMetrics();
    const durationMs = performance.now() - started;
    send({ type: 'cellFinished', execution, cellId, durationMs, ...completion });
  });
}

async function handle(command: KernelCommand): Promise<void> {
  switch (command.type) {
    case 'defineValues':
      return scope.define(command.values);
    case 'deleteNames':
      return scope.delete(command.names);
    case 'forgetCell':
      cancelTimers(command.cellId);
      return scope.forgetCell(command.cellId);
    case 'shutdown':
      process.exit(0);
      return;
    case 'connectionResult':
      return settleConnection(command);
    case 'tablePage':
      return answerTablePage(command, scope);
    case 'warmup':
      // Not awaited: cells queued behind it run while DuckDB loads; a SQL cell awaits the same open.
      if (command.sql) embeddedEngine().catch(() => undefined);
      return;
    default:
      return runCell(command);
  }
}

function onCommand(command: KernelCommand): void {
  // Answers to the running cell's own requests cannot wait behind it.
  if (command.type === 'connectionResult') return settleConnection(command);
  // A page only reads the scope: it does not wait for queued cells (a SQL page waits for DuckDB).
  if (command.type === 'tablePage') return void answerTablePage(command, scope);
  queue = queue.then(() => handle(command));
}

function installFaultHandlers(): void {
  // Errors nobody awaited must not end the kernel: they go to the stderr of the cell whose code
  // threw, while it runs (or nowhere: a finished cell's leftovers never fail another cell).
  process.on('uncaughtException', (error) =>
    writeStream('stderr', describeUncaught('Uncaught exception', error)),
  );
  process.on('unhandledRejection', (reason) =>
    writeStream('stderr', describeUncaught('Unhandled rejection', reason)),
  );
  // Tells the host that a cell called process.exit(n), rather than the kernel failing by itself.
  // What the cell printed just before is flushed first (channel writes are synchronous).
  process.on('exit', (code) => {
    if (!runningCell()) return;
    flushStreams();
    writeSync(2, `${EXIT_MARKER}${code}\n`);
  });
}

installCapture();
guardAddons(config.packageRoot);
installFaultHandlers();
installTimers();
// The one way out of the kernel's network namespace, when the workspace opens egress.
if (config.egressSocket) (await import('./egress.js')).installEgress(config.egressSocket);
installGlobals(scope);
// The host closed the channel (or broke it): nothing is left to serve.
openChannel(config.messageCapBytes, onCommand, () => process.exit(0));
send({ type: 'ready', pid: process.pid, node: process.version });
