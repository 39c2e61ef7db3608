import { describe, expect, it } from 'vitest';
import { checkPassword, passwordScore, passwordVerdict } from './password-policy';

/* The local users' password policy with zxcvbn-ts's own lists (no network): what an attacker's list would try first is refused. */
describe('password policy', () => {
  it('refuses passwords shorter than 12 characters, however random', () => {
    expect(passwordVerdict('zH7#kq2LmP9')?.reason).toBe('too-short');
    expect(checkPassword('')).toMatch(/at least 12 characters/);
  });

  it('refuses the most common passwords padded to length, and keyboard walks', () => {
    for (const p of ['password1234', 'iloveyou1234', 'Summer2024!!', 'Password1234', 'qwertyuiop12', '123456789012', 'aaaaaaaaaaaa']) {
      const v = passwordVerdict(p, { username: 'alice' });
      expect(v, p).not.toBeNull();
      expect(['common', 'guessable'], `${p}: ${v?.reason}`).toContain(v?.reason);
    }
    expect(passwordVerdict('password1234')?.reason).toBe('common');
  });

  it('refuses the user name in the password, in any case', () => {
    expect(passwordVerdict('alice2024123', { username: 'alice' })?.reason).toBe('contains-username');
    expect(passwordVerdict('xq-ALICE-velvet-orbit', { username: 'alice' })?.reason).toBe('contains-username');
    expect(checkPassword('alice2024123', { username: 'alice' })).toBe('Must not contain the user name.');
  });

  it('accepts a long random passphrase and a random password', () => {
    expect(checkPassword('dragonfly-kettle-marble-quarry', { username: 'alice' })).toBeNull();
    expect(checkPassword('blue lantern orbit velvet', { username: 'alice' })).toBeNull();
    expect(checkPassword('zH7#kq2LmP9v', { username: 'alice' })).toBeNull();
    expect(passwordScore('dragonfly-kettle-marble-quarry')).toBe(4);
    expect(passwordScore('password1234')).toBeLessThan(3);
  });

  it('refuses what sign-in would not take (over 1024 characters)', () => {
    expect(passwordVerdict('x7'.repeat(513))?.reason).toBe('too-long');
  });
});
