import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTarEntry, TarError, tarIndex, writeTar } from './model/tar';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('tar', () => {
  it('writes an archive GNU tar lists and extracts, in order, and reads it back', async () => {
    const disk = path.join(dir, 'disk.bin');
    fs.writeFileSync(disk, Buffer.alloc(70_000, 7));
    const long = `${'x'.repeat(120)}.txt`;
    const out = path.join(dir, 'a.ova');
    const seen: number[] = [];
    await writeTar(out, [{ name: 'a.ovf', data: Buffer.from('<Envelope/>') }, { name: 'a-disk1.vmdk', path: disk }, { name: long, data: Buffer.from('long') }],
      (done) => seen.push(done));
    expect(seen.at(-1)).toBe(11 + 70_000 + 4);
    expect(execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).trim().split('\n')).toEqual(['a.ovf', 'a-disk1.vmdk', long]);
    const x = path.join(dir, 'x');
    fs.mkdirSync(x);
    execFileSync('tar', ['-xf', out, '-C', x]);
    expect(fs.readFileSync(path.join(x, 'a-disk1.vmdk')).equals(fs.readFileSync(disk))).toBe(true);
    const entries = await tarIndex(out);
    expect(entries.map((e) => [e.name, e.size])).toEqual([['a.ovf', 11], ['a-disk1.vmdk', 70_000], [long, 4]]);
    expect((await readTarEntry(out, entries[0])).toString()).toBe('<Envelope/>');
  });

  it('reads what GNU tar writes, and refuses what is not a tar or is cut short', async () => {
    const src = path.join(dir, 'src');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'b.ovf'), 'descriptor');
    const gnu = path.join(dir, 'gnu.tar');
    execFileSync('tar', ['-cf', gnu, '-C', src, 'b.ovf']);
    const [e] = await tarIndex(gnu);
    expect((await readTarEntry(gnu, e)).toString()).toBe('descriptor');
    const junk = path.join(dir, 'junk.ova');
    fs.writeFileSync(junk, Buffer.alloc(2048, 'a'));
    await expect(tarIndex(junk)).rejects.toThrow(TarError);
    fs.writeFileSync(path.join(src, 'big'), Buffer.alloc(5000));
    execFileSync('tar', ['-cf', gnu, '-C', src, 'big']);
    const cut = path.join(dir, 'cut.ova');
    fs.writeFileSync(cut, fs.readFileSync(gnu).subarray(0, 2048));
    await expect(tarIndex(cut)).rejects.toThrow(/runs past the end/);
  });
});
