import { zxcvbn, zxcvbnOptions } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

/**
 * The password policy of local users (issue 20): at least 12 characters, not the user's name,
 * not among the most common passwords or a thin variation of one, and not otherwise easy to
 * guess. Checked locally with zxcvbn-ts (its common-password list and keyboard patterns), so no
 * password leaves the server. No Node import: the password form loads it too, for its hint.
 */

export const MIN_PASSWORD_LENGTH = 12;
/** Sign-in accepts at most this many characters (lib/auth/options), so no longer password could be used. */
export const MAX_PASSWORD_LENGTH = 1024;
/** zxcvbn's score (0–4) a password needs: 3 means "safely unguessable" for an online attack with throttling and more. */
const MIN_SCORE = 3;
/** The estimator is slow on very long input, and a password this long is not guessable by its start. */
const ESTIMATE_CHARS = 100;

export type PasswordReason = 'too-short' | 'too-long' | 'contains-username' | 'common' | 'guessable';

export interface PasswordVerdict {
  reason: PasswordReason;
  /** English, for the API's field error (the UI translates by `reason` where it checks itself). */
  message: string;
}

const MESSAGES: Record<PasswordReason, string> = {
  'too-short': `Use at least ${MIN_PASSWORD_LENGTH} characters.`,
  'too-long': `Use at most ${MAX_PASSWORD_LENGTH} characters.`,
  'contains-username': 'Must not contain the user name.',
  common: 'This is one of the most common passwords, or a small variation of one.',
  guessable: 'Too easy to guess: use a longer passphrase of unrelated words, or a password manager.',
};

let configured = false;
function estimator(): typeof zxcvbn {
  if (!configured) {
    zxcvbnOptions.setOptions({ dictionary: { ...dictionary }, graphs: adjacencyGraphs });
    configured = true;
  }
  return zxcvbn;
}

/** The password's strength as zxcvbn scores it (0–4), for a hint while typing; the policy decides with passwordVerdict. */
export function passwordScore(password: string, username?: string): number {
  return estimator()(password.slice(0, ESTIMATE_CHARS), username ? [username] : []).score;
}

/** Why a password is refused, or null when it may be used. */
export function passwordVerdict(password: string, { username }: { username?: string } = {}): PasswordVerdict | null {
  const refuse = (reason: PasswordReason): PasswordVerdict => ({ reason, message: MESSAGES[reason] });
  if ([...password].length < MIN_PASSWORD_LENGTH) return refuse('too-short');
  if (password.length > MAX_PASSWORD_LENGTH) return refuse('too-long');
  const name = username?.trim().toLowerCase() ?? '';
  // Short names (e.g. "al") occur in passphrases by chance; zxcvbn still weighs them as user input.
  if (name.length >= 3 && password.toLowerCase().includes(name)) return refuse('contains-username');
  const result = estimator()(password.slice(0, ESTIMATE_CHARS), name ? [name] : []);
  // A password that is mostly a common password ("Summer2024!!", "password1234") is refused even when the
  // estimator rates its decorations well: those variations are the first an attacker's list tries.
  const common = result.sequence
    .filter((m) => m.pattern === 'dictionary' && m.dictionaryName === 'passwords')
    .reduce((n, m) => n + m.token.length, 0);
  if (common * 2 >= Math.min(password.length, ESTIMATE_CHARS) && result.score < 4) return refuse('common');
  if (result.sequence.some((m) => m.pattern === 'dictionary' && m.dictionaryName === 'userInputs')) return refuse('contains-username');
  if (result.score < MIN_SCORE) return refuse(common > 0 ? 'common' : 'guessable');
  return null;
}

/** The policy as the API speaks it: null, or the reason (English) a password is refused. */
export function checkPassword(password: string, opts: { username?: string } = {}): string | null {
  return passwordVerdict(password, opts)?.message ?? null;
}
