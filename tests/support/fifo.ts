/** Whether something read a named pipe: the tests' witness that a hostile input made the host open a file. */
import { closeSync, constants, openSync } from 'node:fs';

/** True when some reader has the FIFO open (a non-blocking writer can open it only then). */
export function fifoHasReader(fifo: string): boolean {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') return false;
    throw error;
  }
}
