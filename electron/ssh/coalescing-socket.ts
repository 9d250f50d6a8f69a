import net from 'node:net';

/**
 * Connects a TCP socket that sends everything written to it within one tick in one system call. ssh2
 * writes each SSH packet to its socket in three pieces (length, ciphertext, tag for AES-GCM) and each
 * packet on its own (a command's channel open, exec request and EOF; the replies to several packets read
 * in one chunk); on a busy fleet those separate writes were the largest single cost of Patchbay's process
 * (bench:rollout's profile: ~20% of its CPU). The first write of a tick corks the socket and the uncork
 * runs after the tick's synchronous work and its promise callbacks (a process.nextTick queued from a
 * callback runs after that callback's microtasks), so the pieces leave together through one writev, in
 * order and with no delay: nothing waits for a later event.
 */
export function coalescingSocket(options: net.TcpNetConnectOpts): net.Socket {
  const sock = new net.Socket();
  // connect() resets `write` to the prototype's (undoing a write-after-FIN guard), so ours goes on after.
  sock.connect(options);
  const write = sock.write;
  let corked = false;
  const flush = () => {
    corked = false;
    // On a destroyed socket uncork() does nothing; the corked writes then fail as any write would.
    sock.uncork();
  };
  sock.write = function (this: net.Socket, ...args: unknown[]): boolean {
    if (!corked) {
      corked = true;
      sock.cork();
      process.nextTick(flush);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as net.Socket['write'];
  return sock;
}
