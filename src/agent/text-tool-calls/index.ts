// Tool calls that models write as text (small open models, or any model without native tool calling): found,
// repaired and checked against the offered tools, and the prompt that asks for them.
export {
  type OfferedTool,
  type TextCallFailure,
  type TextCallFormat,
  type TextToolCall,
  type TextToolCalls,
  extractToolCalls,
  mayHoldToolCall,
} from './extract';
export { type DescribedTool, failuresMessage, toolsPrompt } from './prompt';
