import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, isPasswordHash, verifyPassword } from './password';

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash: the same password hashes differently, and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('secret'), hashPassword('secret')]);
    expect(a).not.toBe(b);
    expect(a.split('$')[3]).not.toBe(b.split('$')[3]);
    expect(await verifyPassword('secret', a)).toBe(true);
    expect(await verifyPassword('secret', b)).toBe(true);
  });

  it('never contains the password, and treats unusable stored values as a failed check', async () => {
    const hash = await hashPassword('visible?');
    expect(hash).not.toContain('visible');
    expect(isPasswordHash(hash)).toBe(true);
    for (const stored of ['', 'visible?', '$scrypt$ln=30,r=8,p=1$AAAA$AAAA', hash.replace('ln=15', 'ln=99')]) {
      expect(isPasswordHash(stored) && (await verifyPassword('visible?', stored))).toBe(false);
      expect(await verifyPassword('visible?', stored)).toBe(false);
    }
  });

  it('normalizes Unicode so the same password typed differently still matches', async () => {
    const hash = await hashPassword('caf\u00e9');
    expect(await verifyPassword('cafe\u0301', hash)).toBe(true);
  });

  it('generates strong random passwords', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(a);
  });
});
