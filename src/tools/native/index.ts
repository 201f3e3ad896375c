import type { Tool } from '../tool';
import { briefTool } from './brief';
import { sleepTool } from './sleep';

/** The built-in tools that need no sandbox. */
export function nativeTools(): Tool[] {
  return [briefTool, sleepTool];
}
