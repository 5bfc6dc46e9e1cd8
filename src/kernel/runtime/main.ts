/**
 * The kernel process's entry point (runs inside the child, never in the host). It installs output
 * capture, the addon guard and the globals, then runs commands one at a time. Startup stays minimal:
 * no zod, DuckDB or output helpers until a cell needs them.
 */
import { writeSync } from 'node:fs';
import { EXIT_MARKER } from '../exit-reason.js';
import type { KernelCommand } from '../protocol.js';
import { guardAddons } from './addons.js';
import { installCapture } from './capture.js';
import { beginCell, currentCell, endCell, writeStream } from './cell.js';
import { send, settleConnection } from './channel.js';
import type { Completion } from './completion.js';
import { config } from './config.js';
import { describeUncaught, toErrorData } from './errors.js';
import { installGlobals } from './globals.js';
import { executeJs } from './js.js';
import { flushMetrics } from './metrics.js';
import { renderProse } from './prose.js';
import { Scope } from './scope.js';
import { executeSql } from './sql.js';
import { answerTablePage } from './table-page.js';
import { embeddedEngine } from './sql-engine.js';

type CellCommand = Extract<KernelCommand, { seq: number }>;

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

async function runCell(command: CellCommand): Promise<void> {
  const started = performance.now();
  beginCell(command.seq, command.cellId, config.outputCapBytes);
  let completion: Completion;
  try {
    completion = await execute(command);
  } catch (error) {
    completion = { status: 'error', error: toErrorData(error), declared: [] };
  }
  endCell();
  // Before cellFinished: the host takes a cell's metrics only while it runs.
  flushMetrics();
  const durationMs = performance.now() - started;
  send({ type: 'cellFinished', seq: command.seq, cellId: command.cellId, durationMs, ...completion });
}

async function handle(command: KernelCommand): Promise<void> {
  switch (command.type) {
    case 'defineValues':
      return scope.define(command.values);
    case 'deleteNames':
      return scope.delete(command.names);
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

function onMessage(command: KernelCommand): void {
  // Answers to the running cell's own requests cannot wait behind it.
  if (command.type === 'connectionResult') return settleConnection(command);
  // A page only reads the scope: it does not wait for queued cells (a SQL page waits for DuckDB).
  if (command.type === 'tablePage') return void answerTablePage(command, scope);
  queue = queue.then(() => handle(command));
}

function installFaultHandlers(): void {
  // Errors nobody awaited must not end the kernel: they go to the running cell's stderr (or nowhere).
  process.on('uncaughtException', (error) =>
    writeStream('stderr', describeUncaught('Uncaught exception', error)),
  );
  process.on('unhandledRejection', (reason) =>
    writeStream('stderr', describeUncaught('Unhandled rejection', reason)),
  );
  // Tells the host that a cell called process.exit(n), rather than the kernel failing by itself.
  process.on('exit', (code) => {
    if (currentCell()) writeSync(2, `${EXIT_MARKER}${code}\n`);
  });
  // The host is gone: nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
}

installCapture();
guardAddons(config.packageRoot);
installFaultHandlers();
installGlobals(scope);
process.on('message', (message) => onMessage(message as KernelCommand));
send({ type: 'ready', pid: process.pid, node: process.version });
