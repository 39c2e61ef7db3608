import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { vncAuthResponse as simVncAuthResponse } from '@/sim/screen/des';
import { desEncrypt, vncAuthResponse, vncKey } from './des';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('desEncrypt', () => {
  // Published vectors: the textbook example (J. Orlin Grabbe), FIPS 81's "Now is t", and NBS weak-key cases.
  const vectors: [string, string, string][] = [
    ['133457799BBCDFF1', '0123456789ABCDEF', '85E813540F0AB405'],
    ['0123456789ABCDEF', '4E6F772069732074', '3FA40E8A984D4815'],
    ['0101010101010101', '95F8A5E5DD31D900', '8000000000000000'],
    ['0101010101010101', '0000000000000000', '8CA64DE9C1B123A7'],
    ['FEFEFEFEFEFEFEFE', 'FFFFFFFFFFFFFFFF', '7359B2163E4EDC58'],
  ];
  for (const [key, plain, cipher] of vectors) {
    it(`encrypts ${plain} under ${key}`, () => {
      expect(desEncrypt(hex(key), hex(plain)).toString('hex').toUpperCase()).toBe(cipher);
    });
  }

  it('refuses keys and blocks that are not 8 bytes', () => {
    expect(() => desEncrypt(Buffer.alloc(7), Buffer.alloc(8))).toThrow(RangeError);
    expect(() => desEncrypt(Buffer.alloc(8), Buffer.alloc(9))).toThrow(RangeError);
  });
});

describe('VNC Authentication', () => {
  it('mirrors the bits of each password byte and pads to 8 bytes', () => {
    expect(vncKey('a').toString('hex')).toBe('8600000000000000'); // 0x61 = 01100001 → 10000110
    expect(vncKey('longer than eight')).toEqual(vncKey('longer t'));
    expect(vncKey('ö').toString('hex')).toBe('c36d000000000000'); // UTF-8 C3 B6, each mirrored
  });

  it('answers challenges as an independent VNC server (vboxsim) expects', () => {
    // ASCII: vboxsim takes passwords as Latin-1, VirtualBox as UTF-8; they agree on ASCII.
    for (const password of ['', 'secret', 'p@ss word', '12345678', 'much longer password']) {
      const challenge = randomBytes(16);
      expect(vncAuthResponse(password, challenge)).toEqual(simVncAuthResponse(password, challenge));
    }
  });
});
