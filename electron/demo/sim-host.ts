// ONE SIMULATED HOST of the fleet simulator: an ssh2 SSH *server* answering Patchbay's collection script
// with an output captured from a real machine. Not a real host, not a sandbox, and not a substitute for
// the real-target tests in test/targets and test/scan (see test/sim/README.md).
import crypto from 'node:crypto';
import net from 'node:net';

import type { Connection, ParsedKey, Server, ServerChannel, Session } from 'ssh2';

import { REFRESH_MARKER, SECTION_MARKER } from '../platforms/adapter';
import { signFromKeyObject } from '../ssh/auth';
import type { SimKey } from './sim-keys';
import { renderProfile, type SimProfile } from './sim-profiles';
import { simRollout, type SimRolloutOptions } from './sim-rollout';
import { isWindowsProfile, windowsMachine } from './sim-windows';
import { SshServer, sshUtils as utils } from './ssh2-module';

/** What the server says it is, on the wire: no one should mistake it for a real sshd. */
export const SIM_IDENT = 'PatchbaySim_1.0 fleet-simulator';

/** A misbehaviour a host keeps until it is cleared. */
export type SimFault =
  /** Nothing listens: connections are refused (ECONNREFUSED). */
  | { kind: 'refuse' }
  /** Every login is rejected. */
  | { kind: 'auth-fail' }
  /** TCP is accepted and then nothing is ever sent, not even the SSH banner. */
  | { kind: 'hang' }
  /**
   * The collection output stops part way (`fraction` of it, default one half): `socket` destroys the TCP
   * connection (a crash or a network cut), `channel` closes only the command's channel without an exit
   * status (the remote shell killed).
   */
  | { kind: 'drop'; at: 'socket' | 'channel'; fraction?: number };

/** Who may log in. */
export interface SimAuth {
  /** Public keys (authorized_keys lines) accepted for any user. */
  authorizedKeys: string[];
  /** Password accepted for any user, if any. */
  password?: string;
}

/** A simulated host's settings. */
export interface SimHostOptions {
  name: string;
  address: string;
  /** 0 picks a free port at the first listen; later listens reuse it. */
  port: number;
  key: SimKey;
  profile: SimProfile;
  auth: SimAuth;
  latencyMs: number;
  /** Each command waits latencyMs plus up to this much more, at random (real networks vary). */
  jitterMs?: number;
  fault: SimFault | null;
  /** When the host last booted (epoch ms): its uptime counts from here. */
  bootedAt: number;
  /** How its simulated installs behave (sim-rollout.ts). */
  rollout?: SimRolloutOptions;
}

const sudoReady = /\[patchbay-ready-[A-Za-z0-9_-]+\]/;

/** The parts of ssh2's channel a window adjustment needs (internals, as electron/ssh/exec.ts reaches them). */
interface ChannelInternals {
  incoming?: { window?: number };
  outgoing?: { id?: number };
  _client?: { _protocol?: { channelWindowAdjust(id: number, amount: number): void } };
}

/**
 * Returns the window a stdin chunk used, at once. Silent until stdin ended, the simulator would leave the
 * client's EOF waiting in Nagle's algorithm for a delayed ACK: +40 ms per command, which OpenSSH does not
 * show (measured on one exec with stdin: same time with and without TCP_NODELAY on the client).
 */
function giveBackWindow(channel: ServerChannel, bytes: number): void {
  const c = channel as unknown as ChannelInternals;
  const id = c.outgoing?.id;
  if (typeof id !== 'number' || !c.incoming || typeof c.incoming.window !== 'number') return;
  c.incoming.window += bytes;
  c._client?._protocol?.channelWindowAdjust(id, bytes);
}

/** Parses authorized_keys lines once; a line ssh2 cannot read is an error in the test, not a refusal. */
/** A client key the simulator accepts, with a verifier that does not re-read the key's PEM each time. */
interface AuthorizedKey {
  key: ParsedKey;
  verify(data: Buffer, signature: Buffer, hashAlgo: string | undefined): boolean;
}

function parseAuthorized(lines: string[]): AuthorizedKey[] {
  return lines.map((line) => {
    const k = utils.parseKey(line);
    const one = Array.isArray(k) ? k[0] : k;
    if (!one || one instanceof Error)
      throw new Error(`simulator: unreadable authorized key ${line.slice(0, 40)}…`);
    if (one.type !== 'ssh-ed25519') return { key: one, verify: (d, s, a) => one.verify(d, s, a) === true };
    // ed25519 signatures are raw bytes and need no hash: verify them against one KeyObject.
    const publicKey = crypto.createPublicKey(one.getPublicPEM());
    return { key: one, verify: (d, s) => crypto.verify(null, d, publicKey, s) };
  });
}

/**
 * A host key parsed once and signing from a KeyObject (as Patchbay's client keys do): ssh2 would
 * re-read the PEM text for the signature of every key exchange, 0.5 ms of the simulator's one thread
 * per connection — a cost a real fleet spreads over its own CPUs.
 */
function hostKeyOf(k: SimKey): ParsedKey {
  const parsed = utils.parseKey(k.privateKey);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) throw new Error('simulator: unreadable host key');
  signFromKeyObject(key);
  return key;
}

/** Starts one simulated host listening on its address; `stop()` frees everything it holds. */
export async function startSimHost(options: SimHostOptions) {
  let { key, latencyMs, fault, bootedAt } = options;
  let port = options.port;
  let bootId = crypto.randomUUID();
  const authorized = parseAuthorized(options.auth.authorizedKeys);
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let listener: net.Server | null = null;
  let stopped = false;
  let execs = 0;
  // Every connection ever accepted (sockets.size is only the open ones): "one connection per host" is
  // asserted on this count.
  let accepted = 0;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const facts = () => ({ bootId, uptimeSeconds: Math.max(0, (Date.now() - bootedAt) / 1000) });
  const render = () => rollout.render(renderProfile(options.profile, facts()));
  const rollout = simRollout(
    {
      profileOutput: () => options.profile.output,
      bootId: () => bootId,
      reboot: () => void reboot(1000),
    },
    options.rollout,
  );

  const windows = isWindowsProfile(options.profile.id)
    ? windowsMachine(options.profile.id, (downMs) => void reboot(downMs))
    : null;

  /** Answers one exec once its standard input has ended, after the host's latency. */
  function answer(channel: ServerChannel, command: string, stdin: Buffer, socket: net.Socket): void {
    execs += 1;
    if (windows) {
      // A Windows host (sim-windows.ts): Patchbay's PowerShell scripts, or cmd.exe refusing anything else.
      const delay = latencyMs + Math.random() * (options.jitterMs ?? 0);
      void windows.answer(command, stdin).then((r) =>
        later(delay, () => {
          if (!channel.writable) return;
          if (r.stderr.length > 0) channel.stderr.write(r.stderr);
          channel.write(r.stdout);
          channel.exit(r.code);
          channel.end();
        }),
      );
      return;
    }
    const isCollect = command === '/bin/sh -s' && stdin.includes(SECTION_MARKER);
    const isRefresh = sudoReady.test(command) && command.includes('apt-get update');
    later(latencyMs + Math.random() * (options.jitterMs ?? 0), () => {
      if (!channel.writable) return;
      const rolloutAnswer = isCollect || isRefresh ? null : rollout.answer(command);
      if (rolloutAnswer?.stream) {
        if (rolloutAnswer.stderr) channel.stderr.write(rolloutAnswer.stderr);
        const { stop } = rolloutAnswer.stream(
          (bytes) => void (channel.writable && channel.write(bytes)),
          (code) => {
            if (!channel.writable) return;
            channel.exit(code);
            channel.end();
          },
        );
        channel.on('close', stop);
        return;
      }
      if (rolloutAnswer) {
        if (rolloutAnswer.stderr) channel.stderr.write(rolloutAnswer.stderr);
        channel.write(rolloutAnswer.raw ?? rolloutAnswer.stdout);
        channel.exit(rolloutAnswer.code);
        channel.end();
        return;
      }
      if (!isCollect && !isRefresh) {
        channel.stderr.write(`patchbay-sim: this simulated host does not run "${command.slice(0, 80)}"\n`);
        channel.exit(127);
        channel.end();
        return;
      }
      // The simulated hosts are captured apt hosts: the refresh script names apt before apt's own output.
      const out = isCollect ? render() : `${REFRESH_MARKER}apt\n${options.profile.refreshOutput ?? ''}`;
      if (fault?.kind === 'drop' && isCollect) {
        const cut = Math.floor(out.length * (fault.fraction ?? 0.5));
        channel.write(out.slice(0, cut));
        // Give the bytes a moment to leave before the cut, as a real crash mid-output would.
        if (fault.at === 'socket') later(20, () => socket.destroy());
        else later(20, () => channel.close());
        return;
      }
      channel.write(out);
      channel.exit(0);
      channel.end();
    });
  }

  function onSession(session: Session, socket: net.Socket): void {
    session.on('exec', (accept, _reject, info) => {
      const channel = accept();
      channel.on('error', () => undefined);
      // sudo's handshake: Patchbay sends the script only after the "ready" line on stderr.
      const ready = sudoReady.exec(info.command)?.[0];
      if (ready) channel.stderr.write(`${ready}\n`);
      const stdin: Buffer[] = [];
      channel.on('data', (chunk: Buffer) => {
        stdin.push(chunk);
        giveBackWindow(channel, chunk.length);
      });
      channel.on('end', () => answer(channel, info.command, Buffer.concat(stdin), socket));
    });
    session.on('pty', (_accept, reject) => reject?.());
    session.on('env', (accept) => accept?.());
    session.on('shell', (_accept, reject) => reject());
    session.on('subsystem', (_accept, reject) => reject());
  }

  function onConnection(client: Connection, socket: net.Socket): void {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (fault?.kind === 'auth-fail') return ctx.reject(['publickey', 'password']);
      if (ctx.method === 'publickey') {
        const match = authorized.find((k) => k.key.getPublicSSH().equals(ctx.key.data));
        if (!match) return ctx.reject(['publickey', 'password']);
        // No signature: the client only asks whether this key would do.
        if (!ctx.signature || !ctx.blob) return ctx.accept();
        return match.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? ctx.accept() : ctx.reject();
      }
      if (ctx.method === 'password' && options.auth.password !== undefined) {
        const a = crypto.createHash('sha256').update(ctx.password).digest();
        const b = crypto.createHash('sha256').update(options.auth.password).digest();
        return crypto.timingSafeEqual(a, b) ? ctx.accept() : ctx.reject(['publickey', 'password']);
      }
      return ctx.reject(['publickey', 'password']);
    });
    client.on('ready', () => client.on('session', (accept) => onSession(accept(), socket)));
  }

  // One ssh2 Server per host key; it never listens itself; our listener hands it the sockets, so faults
  // can act before SSH starts and a new key applies to the next connection.
  const sshServer = (k: SimKey) =>
    new SshServer({
      // The { key } form: ssh2 passes an already parsed key through as it is.
      hostKeys: [{ key: hostKeyOf(k) as unknown as Buffer }],
      ident: SIM_IDENT,
      banner: 'Patchbay fleet simulator: this is not a real host.\n',
    }).on('error', () => undefined);
  // ssh2 names a connection by the peer's address and port only: find our socket by the same key.
  const byPeer = new Map<string, net.Socket>();
  const peer = (ip: string | undefined, p: number | undefined) => `${ip}|${p}`;
  const attach = (server: Server) =>
    server.on('connection', (client, info) => {
      const socket = byPeer.get(peer(info.ip, info.port));
      if (socket) onConnection(client, socket);
      else client.end();
    });
  let ssh = attach(sshServer(key));

  function onSocket(socket: net.Socket): void {
    const id = peer(socket.remoteAddress, socket.remotePort);
    accepted += 1;
    sockets.add(socket);
    byPeer.set(id, socket);
    socket.on('close', () => {
      sockets.delete(socket);
      if (byPeer.get(id) === socket) byPeer.delete(id);
    });
    socket.on('error', () => undefined);
    if (fault?.kind === 'hang') return;
    ssh.injectSocket(socket);
  }

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      // Nagle's algorithm would hold small SSH packets back for the client's delayed ACK (~40 ms each).
      const server = net.createServer({ noDelay: true }, onSocket);
      server.once('error', reject);
      server.listen({ host: options.address, port, backlog: 511 }, () => {
        server.off('error', reject);
        server.on('error', () => undefined);
        port = (server.address() as net.AddressInfo).port;
        listener = server;
        resolve();
      });
    });
  const unlisten = () => {
    listener?.close();
    listener = null;
  };

  if (fault?.kind !== 'refuse') await listen();
  else {
    // A refusing host still needs its port reserved, so that it can come up later on the same endpoint.
    await listen();
    unlisten();
  }

  /**
   * A reboot: every session drops, connections are refused for `downMs`, then the host answers again
   * with a new boot id and an uptime near zero. Resolves when it is back.
   */
  async function reboot(downMs: number): Promise<void> {
    unlisten();
    for (const s of sockets) s.destroy();
    bootId = crypto.randomUUID();
    await new Promise<void>((r) => later(downMs, r));
    bootedAt = Date.now();
    if (!stopped && fault?.kind !== 'refuse') await listen();
  }

  return {
    name: options.name,
    address: options.address,
    get port() {
      return port;
    },
    get key() {
      return key;
    },
    get bootId() {
      return bootId;
    },
    get profile() {
      return options.profile;
    },
    /** What the collection script gets from this host right now (tests compare against it). */
    render,
    async setFault(next: SimFault | null): Promise<void> {
      fault = next;
      if (next?.kind === 'refuse') unlisten();
      else if (!listener && !stopped) await listen();
    },
    setLatency(ms: number): void {
      latencyMs = ms;
    },
    /** Serves a new host key from the next connection on: what a reinstalled host shows. */
    changeHostKey(next: SimKey): void {
      key = next;
      ssh = attach(sshServer(next));
    },
    /** Reboots the host (see the function above). */
    reboot,
    /**
     * Open connections now, connections accepted, commands answered, install operations started and
     * second starts of one operation refused, since the start.
     */
    stats: () => ({
      connections: sockets.size,
      accepted,
      execs,
      listening: listener !== null,
      ...rollout.stats(),
    }),
    stop(): void {
      stopped = true;
      windows?.dispose();
      unlisten();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
    },
  };
}

/** A running simulated host. */
export type SimHost = Awaited<ReturnType<typeof startSimHost>>;
