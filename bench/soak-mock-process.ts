// The soak benchmark's model, in its own process: every run calls three tools (bash, grep, read) and then answers.
import { startMockModelServer } from '../test/fixtures/mock-model/server';
import type { RecordedRequest } from '../test/fixtures/mock-model/types';

/** OpenAI's wire format: the tools' results come back as messages of role `tool`. */
const answered = (request: RecordedRequest) =>
  Array.isArray(request.body?.messages) && request.body.messages.some((m: { role?: string }) => m.role === 'tool');

const mock = await startMockModelServer();
mock.setFallback((request) => {
  // A call without tools (a session's title) gets a plain answer.
  if (!Array.isArray(request.body?.tools) || answered(request)) return { text: 'Done: the files are listed and read.' };
  return {
    toolCalls: [
      { name: 'bash', input: { command: 'ls src | wc -l && echo ok' } },
      { name: 'grep', input: { pattern: 'Handler\\(input', path: '/src' } },
      { name: 'read', input: { file_path: '/src/module0/file0.ts' } },
    ],
  };
});
// What the mock records is not what is measured, and 1,000 sessions of it would only fill this process.
setInterval(() => mock.requests.splice(0), 1000).unref();
process.stdout.write(`${mock.url}\n`);
