/**
 * A packet capture of the lab's TLS ports on loopback, read back decrypted: the
 * independent witness the capture test holds /stats against (capture.test.ts).
 *
 * dumpcap (Wireshark's capture engine, Debian's `tshark` package) records the
 * ports; tshark reads the file back twice: once as TCP segments and TLS records
 * (with their decrypted content types and handshake messages, from the clients'
 * key log), once as each connection's decrypted application bytes, both ways.
 * As root on Debian the package is installed when it is missing, as the browser
 * tests install Chromium; elsewhere the caller says why it cannot run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';

/** Bytes of one direction of one TCP connection, as the capture holds them. */
export interface Direction {
  /** TCP payload bytes, retransmissions left out. */
  tcpBytes: number;
  /** TLS records in order: outer type, length (header included) and, decrypted, inner type and handshake messages. */
  records: { outerType: number; bytes: number; innerType: number; handshakeTypes: number[] }[];
  /** The decrypted application data. */
  plaintext: Buffer;
}

export interface CapturedConnection {
  clientPort: number;
  serverPort: number;
  /** From the client (in, for the lab) and to it (out). */
  in: Direction;
  out: Direction;
  /** The capture holds the connection from its SYN: nothing was missed. */
  fromSyn: boolean;
}

const canInstall = () => process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && existsSync('/etc/debian_version');

/**
 * Why a capture cannot run here, or undefined when it can. Installs Debian's tshark
 * first when it is missing and this process may (root on Debian).
 */
export function whyNoCapture(): string | undefined {
  const has = (tool: string) => {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!has('tshark') || !has('dumpcap')) {
    if (!canInstall()) {
      return 'tshark and dumpcap are not installed (Debian: apt-get install -y tshark), and this process cannot install them';
    }
    console.error("Installing Debian's tshark for the capture test (apt-get install -y tshark)...");
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['install', '-y', '-qq', 'tshark'], { stdio: 'inherit', env });
  }
  try {
    const interfaces = execFileSync('dumpcap', ['-D'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (!/\blo\b/.test(interfaces)) return `dumpcap sees no loopback interface "lo" (it lists: ${interfaces.trim().replace(/\n/g, '; ')})`;
  } catch (error) {
    const said = String((error as { stderr?: string }).stderr ?? error).trim();
    return `dumpcap cannot list interfaces here (${said}): capturing needs root or CAP_NET_RAW`;
  }
  return undefined;
}

/** A running capture of `ports` on loopback. */
export class WireCapture {
  private readonly dir = mkdtempSync(join(tmpdir(), 'wirelab-capture-'));
  readonly file = join(this.dir, 'tls.pcapng');
  private readonly process: ChildProcess;
  private stderr = '';

  private constructor(
    ports: number[],
    private readonly probe: net.Server,
  ) {
    const filter = ports.map((port) => `tcp port ${port}`).join(' or ');
    // Not quiet: dumpcap reports "Packets: N" as it captures, which is how start() knows it is live.
    this.process = spawn('dumpcap', ['-i', 'lo', '-f', filter, '-w', this.file], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /**
   * Starts capturing `ports`; resolves once dumpcap has captured a connection to a
   * listener of its own (dumpcap says "File:" before its filter is on the interface).
   * That probe's packets are in the file too, on a port of their own.
   */
  static async start(ports: number[]): Promise<WireCapture> {
    const probe = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const capture = new WireCapture([...ports, (probe.address() as net.AddressInfo).port], probe);
    await capture.knockUntilCounted();
    return capture;
  }

  /** Packets dumpcap has reported capturing so far. */
  private counted(): number {
    const counts = [...this.stderr.matchAll(/Packets: (\d+)/g)];
    return counts.length === 0 ? 0 : Number(counts.at(-1)![1]);
  }

  /**
   * Connects to the probe until dumpcap's count shows its packets, then waits for the
   * count to settle: packets leave the kernel's capture buffer in order, so
   * everything sent before is in dumpcap's hands too.
   */
  private async knockUntilCounted(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const before = this.counted();
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      if (this.process.exitCode !== null || Date.now() > deadline) {
        this.process.kill();
        throw new Error(`dumpcap is not capturing: ${this.stderr.trim() || `exit ${this.process.exitCode}`}`);
      }
      const now = this.counted();
      if (now !== last) [last, stableSince] = [now, Date.now()];
      // dumpcap reports every 100 ms: three reports without change.
      if (now >= before + 3 && Date.now() - stableSince > 350) return;
      if (now < before + 3) {
        const knock = net.connect((this.probe.address() as net.AddressInfo).port, '127.0.0.1');
        knock.on('error', () => {});
        knock.on('connect', () => knock.destroy());
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops the capture once dumpcap holds every packet sent so far, and waits for it to close its file. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    await this.knockUntilCounted();
    this.probe.close();
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGINT');
    await exited;
  }

  /** Every TCP connection in the capture, decrypted with `keyLog` (NSS key log format). */
  read(keyLogFile: string): CapturedConnection[] {
    const tls = ['-o', `tls.keylog_file:${keyLogFile}`, '-o', 'tcp.desegment_tcp_streams:TRUE', '-o', 'tls.desegment_ssl_records:TRUE'];
    const packets = JSON.parse(
      execFileSync('tshark', ['-r', this.file, ...tls, '-T', 'json', '--no-duplicate-keys', '-J', 'tcp tls'], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as Packet[];
    const connections = new Map<number, CapturedConnection & { nextSeq: Record<'in' | 'out', number> }>();
    for (const packet of packets) {
      const tcp = packet._source.layers.tcp;
      const stream = Number(tcp['tcp.stream']);
      const src = Number(tcp['tcp.srcport']);
      const dst = Number(tcp['tcp.dstport']);
      const syn = tcp['tcp.flags_tree']['tcp.flags.syn'] === '1' && tcp['tcp.flags_tree']['tcp.flags.ack'] === '0';
      let c = connections.get(stream);
      if (!c) {
        const [clientPort, serverPort] = syn ? [src, dst] : [dst, src];
        c = { clientPort, serverPort, in: emptyDirection(), out: emptyDirection(), fromSyn: syn, nextSeq: { in: 0, out: 0 } };
        connections.set(stream, c);
      }
      const dir = src === c.clientPort ? 'in' : 'out';
      const seq = Number(tcp['tcp.seq']);
      const len = Number(tcp['tcp.len']);
      if (len > 0 && seq >= c.nextSeq[dir]) {
        c[dir].tcpBytes += len;
        c.nextSeq[dir] = seq + len;
      }
      for (const record of asList(packet._source.layers.tls).flatMap((t) => asList(t['tls.record']))) {
        const length = Number(record['tls.record.length']);
        const opaque = record['tls.record.opaque_type'];
        const inner = Number(record['tls.record.content_type'] ?? opaque);
        const handshakeTypes = asList(record['tls.handshake'])
          .flatMap((h) => asList(h['tls.handshake.type']))
          .map(Number);
        c[dir].records.push({ outerType: Number(opaque ?? inner), bytes: 5 + length, innerType: inner, handshakeTypes });
      }
    }
    // The decrypted application bytes of every connection, one tshark pass for all.
    const follows = [...connections.keys()].flatMap((stream) => ['-z', `follow,tls,raw,${stream}`]);
    const text =
      follows.length === 0
        ? ''
        : execFileSync('tshark', ['-r', this.file, ...tls, '-q', ...follows], {
            encoding: 'utf8',
            maxBuffer: 256 * 1024 * 1024,
            stdio: ['ignore', 'pipe', 'ignore'],
          });
    for (const block of text.split(/^=+$/m)) {
      const stream = /^Filter: tcp\.stream eq (\d+)$/m.exec(block);
      if (!stream) continue;
      const c = connections.get(Number(stream[1]));
      if (!c) continue;
      const chunks: Record<'in' | 'out', Buffer[]> = { in: [], out: [] };
      // Lines indented with a tab are node 1's, the others node 0's; tshark names node 0 by its address.
      const node0 = Number(/^Node 0: .*:(\d+)$/m.exec(block)?.[1]);
      const [plain, indented] = node0 === c.clientPort ? (['in', 'out'] as const) : (['out', 'in'] as const);
      for (const line of block.split('\n')) {
        if (!/^\t?[0-9a-f]+$/.test(line)) continue;
        if (node0 !== c.clientPort && node0 !== c.serverPort) {
          throw new Error(`tshark's follow names neither end of ${c.clientPort} -> ${c.serverPort}`);
        }
        chunks[line.startsWith('\t') ? indented : plain].push(Buffer.from(line.trim(), 'hex'));
      }
      c.in.plaintext = Buffer.concat(chunks.in);
      c.out.plaintext = Buffer.concat(chunks.out);
    }
    return [...connections.values()].map(({ nextSeq: _, ...c }) => c);
  }

  /** Stops dumpcap if it still runs and removes the capture's files. */
  async dispose(): Promise<void> {
    this.probe.close();
    if (this.process.exitCode === null) this.process.kill('SIGINT');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface TlsRecord {
  'tls.record.length': string;
  'tls.record.content_type'?: string;
  'tls.record.opaque_type'?: string;
  'tls.handshake'?: OneOrMore<{ 'tls.handshake.type'?: OneOrMore<string> }>;
}

interface Packet {
  _source: {
    layers: {
      tcp: Record<string, string> & { 'tcp.flags_tree': Record<string, string> };
      tls?: OneOrMore<{ 'tls.record'?: OneOrMore<TlsRecord> }>;
    };
  };
}

type OneOrMore<T> = T | T[];

const asList = <T>(value: OneOrMore<T> | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

const emptyDirection = (): Direction => ({ tcpBytes: 0, records: [], plaintext: Buffer.alloc(0) });
