import type { SecretKind } from '../../src/contract/sessions';

/** Secrets of each shape an export recognises, made up, as they appear in files and tool output. */
export const SHAPES = {
  'api-key': 'sk-proj-4fJ8kL2mN9pQ7rS1tU3vW5xY',
  'github-token': `ghp_${'aB3dE5fG7h'.repeat(4).slice(0, 36)}`,
  'slack-token': 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp',
  'aws-access-key': 'AKIAIOSFODNN7EXAMPLE',
  'google-api-key': `AIza${'Sy1b2C3d4E'.repeat(4).slice(0, 35)}`,
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  'private-key':
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\nbm9uZQAAAAAAAAABAAAAMwAAAAtz\n-----END OPENSSH PRIVATE KEY-----',
} as const satisfies Partial<Record<SecretKind, string>>;
