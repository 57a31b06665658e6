import { BackupClosure } from '../../../cli/backup-closure';

const S = (s: string) => ({ S: s });
const body = (m: unknown) => ({ B: Buffer.from(JSON.stringify(m)) });

describe('BackupClosure: what a backup still lacks after its scan', () => {
  it('a tag without its manifest, a manifest without its blob links, a link without its blob record', () => {
    const c = new BackupClosure();
    c.add({ pk: S('REPO#a'), sk: S('TAG#1'), digest: S('sha256:m1') });
    c.add({ pk: S('REPO#a'), sk: S('MANIFEST#sha256:m2'), body: body({ config: { digest: 'sha256:c' }, layers: [{ digest: 'sha256:l1' }, { digest: 'sha256:l2' }] }) });
    c.add({ pk: S('REPO#a'), sk: S('BLOB#sha256:l1') });
    expect(c.takeMissing()).toEqual(expect.arrayContaining([
      { pk: 'REPO#a', sk: 'MANIFEST#sha256:m1' },
      { pk: 'REPO#a', sk: 'BLOB#sha256:c' },
      { pk: 'REPO#a', sk: 'BLOB#sha256:l2' },
      { pk: 'BLOB#sha256:l1', sk: 'BLOB' },
    ]));
    expect(c.takeMissing()).toEqual([]); // each asked once, found or not
  });

  it('nothing is missing when the scan holds everything; an index needs the manifests it lists; S3-stored bodies count', () => {
    const c = new BackupClosure();
    c.add({ pk: S('REPO#a'), sk: S('BLOB#sha256:c') });
    c.add({ pk: S('BLOB#sha256:c'), sk: S('BLOB') });
    c.add({ pk: S('REPO#a'), sk: S('MANIFEST#sha256:m1'), body: body({ config: { digest: 'sha256:c' }, layers: [] }) });
    c.add({ pk: S('REPO#a'), sk: S('TAG#1'), digest: S('sha256:m1') });
    expect(c.takeMissing()).toEqual([]);
    c.manifestBody('REPO#a', Buffer.from(JSON.stringify({ manifests: [{ digest: 'sha256:m1' }, { digest: 'sha256:m9' }] })));
    expect(c.takeMissing()).toEqual([{ pk: 'REPO#a', sk: 'MANIFEST#sha256:m9' }]);
  });
});
