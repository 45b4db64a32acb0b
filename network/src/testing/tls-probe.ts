import { mkdtemp, readFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';

import { splitEndpoint } from '../runtime/native/supervisor';
import { run } from '../util/exec';

export interface TlsClient {
  readonly ca: Buffer;
  readonly servername: string;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** The HTTP/2 client preface and an empty SETTINGS frame: what a gRPC client sends first. */
const PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/**
 * Opens a gRPC-style (HTTP/2) connection and reports whether the server answered with its
 * SETTINGS frame ('accepted') or refused: a TLS alert, a closed connection or no answer.
 */
export function http2Probe(endpoint: string, tls?: TlsClient, timeoutMs = 5000): Promise<'accepted' | 'refused'> {
  const [host, port] = splitEndpoint(endpoint);
  return new Promise((resolve) => {
    let settled = false;
    const onReady = (): void => {
      socket.write(PREFACE);
    };
    const socket: Socket = tls
      ? tlsConnect({ host, port, ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, ALPNProtocols: ['h2'] }, onReady)
      : netConnect({ host, port }, onReady);
    const finish = (result: 'accepted' | 'refused'): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 9) finish(received[3] === 0x04 ? 'accepted' : 'refused');
    });
    socket.on('error', () => { finish('refused'); });
    socket.on('close', () => { finish('refused'); });
    setTimeout(() => { finish('refused'); }, timeoutMs);
  });
}

/** A CA no org of the network knows, and a client certificate it issued (made with openssl). */
export async function rogueClientIdentity(): Promise<{ ca: Buffer; cert: Buffer; key: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'rogue-ca-'));
  const file = (name: string): string => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=rogue-ca']);
  await run('openssl', ['req', ...ec, '-keyout', file('client.key'), '-out', file('client.csr'), '-subj', '/CN=rogue-client']);
  await run('openssl', ['x509', '-req', '-in', file('client.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('client.pem'), '-days', '1']);
  return { ca: await readFile(file('ca.pem')), cert: await readFile(file('client.pem')), key: await readFile(file('client.key')) };
}
