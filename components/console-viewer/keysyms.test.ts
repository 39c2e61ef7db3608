import { describe, expect, it } from 'vitest';
import { keysymsOf } from './keysyms';

describe('keysymsOf', () => {
  it('types Latin-1 as itself, line breaks as Return and the rest as Unicode keysyms', () => {
    expect(keysymsOf('aZ 1')).toEqual([0x61, 0x5a, 0x20, 0x31]);
    expect(keysymsOf('é\r\nx\ty')).toEqual([0xe9, 0xff0d, 0x78, 0xff09, 0x79]);
    expect(keysymsOf('€😀')).toEqual([0x010020ac, 0x0101f600]);
    expect(keysymsOf('\u0007\u007f')).toEqual([]);
  });
});
