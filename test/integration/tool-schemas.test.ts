import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { createRuntime } from '../../src/runtime/runtime';
import { openWorkspace } from '../../src/workspace/workspace';
import { tempDir } from '../helpers/workspace';

/**
 * What the model sees of every built-in tool: name, level, description and input schema. A change here changes how
 * models use the tools, so it must be deliberate: update the snapshot with `npx vitest run -u` and review the diff.
 */
describe('the built-in tools as the model sees them', () => {
  it('match the reviewed snapshot', async () => {
    const workspace = await openWorkspace(await tempDir());
    // The shell's description names the programs this machine has when the host tier is on: off, it is the same anywhere.
    await workspace.settings.patch({ sandbox: { host: { enabled: false } } });
    const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false });
    try {
      const tools = runtime
        .allTools()
        .map((t) => ({
          name: t.name,
          source: t.source,
          permissionLevel: t.permissionLevel,
          description: t.description,
          inputSchema: t.inputSchema,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
      await expect(`${JSON.stringify(tools, null, 2)}\n`).toMatchFileSnapshot('__snapshots__/tool-schemas.json');
    } finally {
      await runtime.close();
    }
  });
});
