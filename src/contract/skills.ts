import { z } from 'zod';

/** A skill's name: its folder's name, by the Agent Skills specification. */
export const SKILL_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const SKILL_NAME_MAX = 64;
export const SKILL_DESCRIPTION_MAX = 1024;
/** SKILL.md is read in full by the model: larger ones are refused. */
export const SKILL_FILE_MAX_BYTES = 256 * 1024;
/** A `.zip` imported as a skill: its size, and what it may unpack to. */
export const SKILL_IMPORT_MAX_BYTES = 10 * 1024 * 1024;
export const SKILL_IMPORT_MAX_UNPACKED_BYTES = 32 * 1024 * 1024;
export const SKILL_IMPORT_MAX_FILES = 500;

export const SkillNameSchema = z
  .string()
  .max(SKILL_NAME_MAX, `at most ${SKILL_NAME_MAX} characters`)
  .regex(SKILL_NAME, 'lower-case letters, digits and single hyphens, not at the start or end');

/** Where a skill comes from, in order of precedence: the first folder that has a name wins. */
export const SKILL_ORIGINS = ['workspace', 'agents', 'claude', 'user', 'built-in'] as const;
export const SkillOriginSchema = z.enum(SKILL_ORIGINS);
export type SkillOrigin = z.output<typeof SkillOriginSchema>;

/** A named input of a skill (`arguments` or `parameters` in its front matter). */
export const SkillArgumentSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  required: z.boolean().optional(),
});
export type SkillArgument = z.output<typeof SkillArgumentSchema>;

/** A skill as the Skills page lists it. */
export const SkillSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  origin: SkillOriginSchema,
  /** The folder, relative to the workspace for project skills, `~/.boxagnts/skills/NAME` or `skills/NAME` otherwise. */
  path: z.string(),
  /** Tools it may use without asking while active, as written (`bash(git status*)`, `Read`). */
  allowedTools: z.array(z.string()),
  arguments: z.array(SkillArgumentSchema),
  whenToUse: z.string().optional(),
  license: z.string().optional(),
  compatibility: z.string().optional(),
  /** The model may load it (not `disable-model-invocation`). */
  modelInvocable: z.boolean(),
  /** The user may run it as `/NAME` (not `user-invocable: false`). */
  userInvocable: z.boolean(),
  /** Switched on for this workspace (settings `skills.disabled` lists those switched off). */
  enabled: z.boolean(),
  /** Offered to the agent: enabled, and from a trusted folder. */
  loaded: z.boolean(),
  /** The folder can be changed from the dashboard (`.boxagnts/skills/` and `~/.boxagnts/skills/`). */
  editable: z.boolean(),
});
export type SkillSummary = z.output<typeof SkillSummarySchema>;

/** A folder whose SKILL.md cannot be used, with the reason; the other skills load regardless. */
export const InvalidSkillSchema = z.object({ path: z.string(), origin: SkillOriginSchema, problem: z.string() });
export type InvalidSkill = z.output<typeof InvalidSkillSchema>;

/** `GET /api/skills`. */
export const SkillListSchema = z.object({
  skills: z.array(SkillSummarySchema),
  invalid: z.array(InvalidSkillSchema),
  shadowed: z.array(z.object({ name: z.string(), path: z.string(), origin: SkillOriginSchema })),
  /**
   * Skills that came with the repository (`.agents/skills/`, `.claude/skills/`) are instructions to the agent: they
   * load once the user trusts them (settings `skills.trustProject`).
   */
  projectTrusted: z.boolean(),
  /** The system prompt's skills block for the default model: its size and whether it was cut. */
  promptBlock: z.object({ characters: z.number(), limit: z.number(), cut: z.boolean() }),
});
export type SkillList = z.output<typeof SkillListSchema>;

/** `GET /api/skills/:name`: a skill with its SKILL.md and the files of its folder. */
export const SkillDetailSchema = z.object({
  skill: SkillSummarySchema,
  /** SKILL.md as written. */
  source: z.string(),
  /** The files of the folder (links left out), relative to it, with their sizes. */
  files: z.array(z.object({ path: z.string(), size: z.number() })),
  /** The folder holds more files than are listed. */
  truncated: z.boolean(),
});
export type SkillDetail = z.output<typeof SkillDetailSchema>;

/** `GET /api/skills/:name/files?path=`: one file of a skill's folder, as text. */
export const SkillFileContentSchema = z.object({
  path: z.string(),
  size: z.number(),
  /** Not text: `content` is empty. */
  binary: z.boolean(),
  /** Only the start of the file is in `content`. */
  truncated: z.boolean(),
  content: z.string(),
});
export type SkillFileContent = z.output<typeof SkillFileContentSchema>;

/** `POST /api/skills`: a new skill in `.boxagnts/skills/NAME/` from the template. */
export const CreateSkillBodySchema = z.strictObject({
  name: SkillNameSchema,
  description: z.string().trim().min(1).max(SKILL_DESCRIPTION_MAX),
});
export type CreateSkillBody = z.output<typeof CreateSkillBodySchema>;

/** `PUT /api/skills/:name`: the new text of SKILL.md (checked before it is written). */
export const SaveSkillBodySchema = z.strictObject({ source: z.string().max(SKILL_FILE_MAX_BYTES) });

/** `PUT /api/skills/:name/enabled`. */
export const SkillEnabledBodySchema = z.strictObject({ enabled: z.boolean() });

/** `PATCH /api/skills`: trust (or stop trusting) the skills that came with the repository. */
export const SkillTrustBodySchema = z.strictObject({ trusted: z.boolean() });
