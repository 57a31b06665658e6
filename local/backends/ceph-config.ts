/**
 * The ceph.conf of the one-node test cluster local/backends/ceph-rgw.ts runs: one monitor, one OSD on
 * memstore (every byte in the OSD's RAM, pools of size 1), radosgw's beast frontend on 127.0.0.1, no cephx.
 */

/** The pools radosgw needs, created up front: letting radosgw create them on first use is slower. */
export const RGW_POOLS = [
  '.rgw.root', 'default.rgw.control', 'default.rgw.meta', 'default.rgw.log',
  'default.rgw.buckets.index', 'default.rgw.buckets.data', 'default.rgw.buckets.non-ec',
] as const;

/** Where the cluster lives and listens. */
export interface CephLayout {
  /** Temp directory holding the config, the monitor's store, the OSD's files, sockets and logs. */
  dir: string;
  fsid: string;
  monPort: number;
  rgwPort: number;
  /** Capacity the OSD reports; memory is used only for what is stored. */
  memstoreBytes: number;
}

/** The monitor's address, as monmaptool and `mon host` take it. */
export const monAddress = (l: CephLayout): string => `v2:127.0.0.1:${l.monPort}`;

/** ceph.conf text for the layout. */
export function cephConf(l: CephLayout): string {
  return `[global]
fsid = ${l.fsid}
mon host = [${monAddress(l)}]
# no cephx: radosgw then reaches the monitor only in crc mode
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
keyring = /dev/null
# one OSD: pools of size 1, placement across OSDs rather than hosts
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
# a monitor commits each change after 1 s by default; pool and user creation then take seconds
paxos propose interval = 0.1
# a nearly full disk must not stop a throw-away monitor
mon data avail warn = 1
mon data avail crit = 0
osd objectstore = memstore
memstore device bytes = ${l.memstoreBytes}
run dir = ${l.dir}/run
admin socket = ${l.dir}/run/$name.asok
pid file = ${l.dir}/run/$name.pid
log file = ${l.dir}/log/$name.log
[mon.a]
mon data = ${l.dir}/mon
[osd.0]
osd data = ${l.dir}/osd
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${l.rgwPort}
rgw data = ${l.dir}/rgw
# background work a test cluster does not need
rgw enable lc threads = false
rgw enable quota threads = false
rgw dynamic resharding = false
`;
}
