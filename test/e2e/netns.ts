/**
 * Two machines on one host: a pair of network namespaces joined by a veth pair, one for a server and one for
 * its clients. The addresses (a private /30) exist only inside the two namespaces, each with its own `lo`;
 * nothing is added to the host's network. Names carry this process's pid, so namespaces a killed run left
 * behind are removed by the next run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** A server namespace and a client namespace that reach each other at `serverIp` / `clientIp`. */
export interface NetnsPair {
  server: string;
  client: string;
  serverIp: string;
  clientIp: string;
  /**
   * The argv that runs a command with a namespace as its network: `nsenter --net=/run/netns/<ns>`. Not
   * `ip netns exec`, which also remounts /sys and so hides the cgroup mounts dockerd needs.
   */
  exec(ns: string, argv: string[]): string[];
  /** Deletes both namespaces (and so the veth pair); safe to call twice. */
  remove(): void;
}

const PREFIX = 'stre2e';

/**
 * A private /30 of 10.213.0.0/16 chosen by pid: the two addresses only ever exist inside the pair, and two
 * runs at once get different ones (so their /etc/docker/certs.d/<ip:port> entries do not collide).
 */
function addresses(pid: number): { server: string; client: string } {
  const base = `10.213.${(pid >> 6) % 256}.${(pid % 64) * 4}`;
  const [a, b, c, d] = base.split('.').map(Number) as [number, number, number, number];
  return { server: `${a}.${b}.${c}.${d + 1}`, client: `${a}.${b}.${c}.${d + 2}` };
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Namespaces of earlier runs whose process is gone (a killed test cannot clean up after itself). */
function removeStale(): void {
  const names = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  for (const name of names) {
    const m = new RegExp(`^${PREFIX}-[sc]-(\\d+)$`).exec(name);
    if (m && !existsSync(`/proc/${m[1]}`)) ip(['netns', 'del', name]);
  }
}

/** Creates the pair: namespaces, `lo` up in each, the veth pair with one address at each end. */
export function createNetnsPair(): NetnsPair {
  removeStale();
  const { server: SERVER_IP, client: CLIENT_IP } = addresses(process.pid);
  const server = `${PREFIX}-s-${process.pid}`;
  const client = `${PREFIX}-c-${process.pid}`;
  const remove = (): void => {
    for (const ns of [server, client]) {
      try {
        ip(['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  };
  try {
    ip(['netns', 'add', server]);
    ip(['netns', 'add', client]);
    const inS = (args: string[]) => ip(['-n', server, ...args]);
    const inC = (args: string[]) => ip(['-n', client, ...args]);
    // Made inside the server namespace with its peer sent straight to the client's: never on the host.
    inS(['link', 'add', 'veth-srv', 'type', 'veth', 'peer', 'name', 'veth-cli', 'netns', client]);
    inS(['addr', 'add', `${SERVER_IP}/30`, 'dev', 'veth-srv']);
    inC(['addr', 'add', `${CLIENT_IP}/30`, 'dev', 'veth-cli']);
    for (const run of [inS, inC]) run(['link', 'set', 'lo', 'up']);
    inS(['link', 'set', 'veth-srv', 'up']);
    inC(['link', 'set', 'veth-cli', 'up']);
  } catch (err) {
    remove();
    throw err;
  }
  return {
    server, client, serverIp: SERVER_IP, clientIp: CLIENT_IP,
    exec: (ns, argv) => ['nsenter', `--net=/run/netns/${ns}`, ...argv],
    remove,
  };
}
