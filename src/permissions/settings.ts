import type { z } from 'zod';
import { PermissionSettingsSchema as PermissionSettingsShape } from '../contract/settings';
import { RuleSyntaxError, parseRule } from './policy';

/** The contract's permission settings, with every rule read by the policy's own parser: a rule it cannot read is refused with why. */
export const PermissionSettingsSchema = PermissionSettingsShape.superRefine((settings, ctx) => {
  settings.rules.forEach((rule, i) => {
    try {
      parseRule(rule);
    } catch (error) {
      if (!(error instanceof RuleSyntaxError)) throw error;
      ctx.addIssue({ code: 'custom', path: ['rules', i], message: error.message });
    }
  });
});
export type PermissionSettings = z.output<typeof PermissionSettingsSchema>;
