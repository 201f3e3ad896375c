import { z } from 'zod';
import { type Tool, type ToolResult, type Validation, errorResult, validationFrom } from './tool';

/** The tools a run may offer the model, by name, with their input checks. One registry for every kind of tool. */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();
  private readonly validators = new Map<string, (input: unknown) => Validation>();

  constructor(tools: Iterable<Tool> = []) {
    for (const tool of tools) this.add(tool);
  }

  add(tool: Tool): void {
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name))
      throw new Error(`invalid tool name "${tool.name}": use letters, digits, _ and -, at most 64`);
    if (this.tools.has(tool.name)) throw new Error(`two tools are named "${tool.name}"`);
    this.tools.set(tool.name, tool);
  }

  get(name: string): Tool | undefined {
    return this.tools.get(name);
  }

  list(): Tool[] {
    return [...this.tools.values()];
  }

  /** Finds the tool and validates the input; an unknown tool or bad input becomes an error result for the model. */
  prepare(name: string, input: unknown): { tool: Tool; input: unknown } | { error: ToolResult } {
    const tool = this.tools.get(name);
    if (!tool)
      return {
        error: errorResult(
          `There is no tool named "${name}". Available tools: ${[...this.tools.keys()].join(', ') || 'none'}.`,
        ),
      };
    const validation = this.validate(tool, input);
    if (!validation.ok)
      return {
        error: errorResult(
          `Invalid input for ${name}: ${validation.message}. Call it again with input matching its schema.`,
        ),
      };
    return { tool, input: validation.value };
  }

  private validate(tool: Tool, input: unknown): Validation {
    if (tool.validate) return tool.validate(input);
    let validator = this.validators.get(tool.name);
    if (!validator) {
      const schema = z.fromJSONSchema(tool.inputSchema as Parameters<typeof z.fromJSONSchema>[0]);
      validator = (value) => validationFrom(schema, value);
      this.validators.set(tool.name, validator);
    }
    return validator(input);
  }
}
