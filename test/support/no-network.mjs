// Loaded with --import into a process under test (and, through execArgv, into its worker
// threads): every attempt to open a network connection is written to $HINDSIGHT_NET_LOG and fails.
import { appendFileSync } from 'node:fs';
import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';

const log = process.env.HINDSIGHT_NET_LOG;
const record = (what) => {
  if (log) appendFileSync(log, `${what}\n`);
  throw new Error(`network access attempted: ${what}`);
};
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const a = args[0];
  // Local IPC (pipes, unix sockets) is not the network.
  if (a && typeof a === 'object' && a.path) return originalConnect.apply(this, args);
  if (typeof a === 'string' && !/^\d+$/.test(a)) return originalConnect.apply(this, args);
  return record(`net.connect ${JSON.stringify(a)}`);
};
tls.connect = (...args) => record(`tls.connect ${JSON.stringify(args[0])}`);
dns.lookup = (host) => record(`dns.lookup ${host}`);
dns.promises.lookup = async (host) => record(`dns.promises.lookup ${host}`);
globalThis.fetch = async (url) => record(`fetch ${String(url)}`);
