import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/workspace';

const SCRIPT = fileURLToPath(new URL('../../scripts/check-layers.mjs', import.meta.url));

/** Writes a src/ tree of the given files into a fresh folder and runs the check there. */
async function check(files: Record<string, string>) {
  const root = await tempDir();
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, 'src', path)), { recursive: true });
    await writeFile(join(root, 'src', path), text);
  }
  const run = spawnSync(process.execPath, [SCRIPT, 'src'], { cwd: root, encoding: 'utf8' });
  return { status: run.status, lines: run.stdout.split('\n').filter(Boolean) };
}

const layered = {
  'contract/events.ts': "import { z } from 'zod';\nexport const A = z.string();\n",
  'fs/confiner.ts': "import { readFileSync } from 'node:fs';\n",
  'sandbox/service.ts': "import type { Mount } from '../fs/confiner';\nimport { A } from '../contract/events';\n",
  'workspace/settings.ts':
    "import { SandboxSettingsSchema } from '../sandbox/settings';\nimport { PermissionSettingsSchema } from '../permissions/settings';\n",
  'sandbox/settings.ts': 'export const SandboxSettingsSchema = 1;\n',
  'permissions/settings.ts': "import { A } from '../contract/events';\nexport const PermissionSettingsSchema = A;\n",
  'log.ts': "import { REDACTED } from './models/redaction';\n",
  'models/redaction.ts': "export const REDACTED = '[redacted]';\n",
  'tools/tool.ts':
    "import type { Logger } from '../log';\nimport { x } from '../workspace/settings';\nimport { version } from '../package-info';\n",
  'package-info.ts': "import { version } from '../package.json';\n",
  'agent/runner.ts':
    "import {\n  type Tool,\n  errorResult,\n} from '../tools/tool';\nconst loop = () => import('./loop');\n",
  'runtime/runtime.ts': "export * from '../agent/runner';\n",
  'cli.ts': "import './cli/serve';\n",
  'cli/serve.ts': "import { serve } from '../server/serve';\n",
  'server/serve.ts': "import { createRuntime } from '../runtime/runtime';\n",
};

describe('scripts/check-layers.mjs', () => {
  it('passes a tree that keeps the layer order, type, multi-line, dynamic and side-effect imports included', async () => {
    expect(await check(layered)).toEqual({ status: 0, lines: ['layers ok: 15 files'] });
  });

  it('names every import that goes up a layer, out of contract/, or in from a folder no layer holds', async () => {
    const { status, lines } = await check({
      ...layered,
      'contract/events.ts': "import type { Rule } from '../permissions/policy';\n",
      'permissions/policy.ts': 'export type Rule = string;\n',
      'sandbox/service.ts': "import { paths } from '../workspace/paths';\nimport type { Logger } from '../log';\n",
      'workspace/paths.ts': 'export const paths = 1;\n',
      'fs/confiner.ts': "export async function later() {\n  return import('../server/serve');\n}\n",
      'widgets/list.ts': "import { x } from '../fs/confiner';\n",
    });
    expect(status).toBe(1);
    expect(lines).toEqual([
      'src/contract/events.ts → ../permissions/policy  (contract imports nothing of ours)',
      'src/fs/confiner.ts → ../server/serve  (server is above fs)',
      'src/sandbox/service.ts → ../workspace/paths  (workspace is above sandbox)',
      'src/sandbox/service.ts → ../log  (log.ts is above sandbox)',
      'src/widgets/list.ts: widgets is in no layer; place it in LAYERS of scripts/check-layers.mjs',
      // An import that goes up closes a cycle whenever the layer above already imports the one below.
      'import cycle contract → permissions → contract:',
      '  src/contract/events.ts → ../permissions/policy',
      '  src/permissions/settings.ts → ../contract/events',
      'import cycle sandbox → workspace → sandbox:',
      '  src/sandbox/service.ts → ../workspace/paths',
      '  src/workspace/settings.ts → ../sandbox/settings',
    ]);
  });

  it('reports a cycle between folders of one layer with the imports that make it', async () => {
    const { status, lines } = await check({
      ...layered,
      'agent/runner.ts': "import { schedule } from '../automation/jobs';\n",
      'automation/jobs.ts': "import type { Runner } from '../agent/runner';\nexport const schedule = 1;\n",
    });
    expect(status).toBe(1);
    expect(lines).toEqual([
      'import cycle agent → automation → agent:',
      '  src/agent/runner.ts → ../automation/jobs',
      '  src/automation/jobs.ts → ../agent/runner',
    ]);
  });
});
