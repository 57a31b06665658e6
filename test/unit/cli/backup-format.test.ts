import { backupFiles, decodeItem, encodeItem, safeKey } from '../../../cli/backup-format';

describe('backup format', () => {
  it('an item with every attribute type survives a line of table.jsonl unchanged, binary included', () => {
    const item = {
      pk: { S: 'REPO#a/b' }, sk: { S: 'MANIFEST#sha256:00' }, size: { N: '12' }, body: { B: Buffer.from([0, 1, 2, 255]) },
      bs: { BS: [Buffer.from('x'), Buffer.from([9])] }, ss: { SS: ['a', 'b'] }, ns: { NS: ['1', '2'] }, ok: { BOOL: true }, none: { NULL: true },
      m: { M: { inner: { B: Buffer.from('deep') }, list: { L: [{ S: 's' }, { B: Buffer.from([7]) }] } } },
    };
    const line = encodeItem(item);
    expect(line).not.toContain('\n');
    expect(decodeItem(line)).toEqual(item);
  });

  it('a manifest body of the old layout and one of the new for the same digest get paths that can both exist', () => {
    const files = backupFiles('/b');
    const old = files.object('manifests/sha256/abc');
    const perPut = files.object('manifests/sha256/abc/7f3c');
    expect(perPut.startsWith(`${old}/`)).toBe(false); // the old one is a file, not the new one's directory
    expect(backupFiles('/b', 1).object('manifests/sha256/abc')).toBe('/b/objects/manifests/sha256/abc'); // format 1 still read
  });

  it.each(['blobs/3f2a-11', 'manifests/sha256/abcdef', 'uploads/x/tail-1'])('the registry key %s is a path inside the backup', (key) => {
    expect(safeKey(key)).toBe(key);
  });

  it.each(['../etc/passwd', 'blobs/../../x', '/abs', 'blobs//x', 'blobs/./x', '', 'a\\b', 'blobs/x\n'])(
    'the key %j of a tampered backup is refused', (key) => {
      expect(() => safeKey(key)).toThrow(/is not one the registry writes/);
    },
  );
});
