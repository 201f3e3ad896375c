/** A pending request (src/permissions/approvals.ts Interaction), as the dashboard reads it. */
export interface Question {
  question: string;
  header?: string;
  options: { label: string; description?: string }[];
  multiSelect?: boolean;
  allowFreeText?: boolean;
}

export interface Answer {
  selected: string[];
  text?: string;
}

export interface DiffPreview {
  kind: 'diff';
  path: string;
  before: string;
  after: string;
}

export type Interaction =
  | {
      kind: 'approval';
      id: string;
      sessionId: string;
      runId: string;
      callId: string;
      tool: string;
      level: string;
      input: unknown;
      subject?: string;
      reason: string;
      preview?: DiffPreview;
      grantPatterns?: string[];
      ungrantable?: string[];
      createdAt: string;
    }
  | { kind: 'plan'; id: string; sessionId: string; runId: string; callId: string; plan: string; createdAt: string }
  | { kind: 'question'; id: string; sessionId: string; runId: string; callId: string; questions: Question[]; createdAt: string };

export type ApprovalOutcome = 'once' | 'session' | 'workspace' | 'deny';
