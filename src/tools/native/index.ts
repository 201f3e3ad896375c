import type { Tool } from '../tool';
import { askUserQuestionTool } from './ask-user-question';
import { briefTool } from './brief';
import { enterPlanModeTool, exitPlanModeTool } from './plan-mode';
import { sleepTool } from './sleep';
import { todoWriteTool } from './todo-write';

/** The built-in tools that need no sandbox (tool_search is added per run: it knows which tools are deferred). */
export function nativeTools(): Tool[] {
  return [askUserQuestionTool, briefTool, enterPlanModeTool, exitPlanModeTool, sleepTool, todoWriteTool];
}
