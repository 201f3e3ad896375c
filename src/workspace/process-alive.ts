import { errnoCode } from '../fs/errors';

/** Whether a process with this id exists (one of another user counts: it cannot be signalled, but it is there). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}
