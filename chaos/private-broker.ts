// A single-node KRaft broker of the test's own, from the jars scripts/services/kafka.sh resolves: its own ports, data
// and log under a temp dir, so a scenario can restart it, put it behind Toxiproxy or give it a SASL listener without
// touching the shared broker other tests use.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin, FindCoordinatorKeyTypes } from '@platformatic/kafka';
import { freePort } from '../adapters/testing/free-port.ts';
import type { Proxy, Toxiproxy } from './toxiproxy.ts';
import { unique } from '../adapters/kafka/testing.ts';

const kafkaScript = fileURLToPath(new URL('../scripts/services/kafka.sh', import.meta.url));

export interface SaslUser {
  readonly username: string;
  readonly password: string;
}

export interface PrivateBrokerOptions {
  /** Puts a Toxiproxy proxy in front of the `PROXIED` listener, which advertises the proxy's address. */
  readonly toxiproxy?: Toxiproxy;
  /** Adds a SASL_PLAINTEXT listener (mechanism PLAIN) that knows this one user. */
  readonly sasl?: SaslUser;
  /** JVM heap, default 512 MB. */
  readonly heapMb?: number;
}

interface Ports {
  readonly direct: number;
  readonly proxied: number;
  readonly sasl: number;
  readonly controller: number;
}

/** The jar folder kafka.sh resolved from Maven Central (resolving it first if needed). */
async function kafkaLibs(): Promise<string> {
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile('bash', [kafkaScript, 'libs'], (error, out, err) => (error ? reject(new Error(`kafka.sh libs failed: ${err}`)) : resolve(out))),
  );
  const libs = /^KAFKA_LIBS=(.+)$/m.exec(stdout)?.[1];
  if (!libs) throw new Error(`kafka.sh libs printed no KAFKA_LIBS line: ${stdout}`);
  return libs;
}

/**
 * A Kafka cluster id as StorageTool's random-uuid prints it: 16 random bytes, base64url without padding, never starting
 * with '-' (which the tool's argument parser would take for an option: one id in 64 failed `format` that way).
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Listeners: `DIRECT` (test clients, kcat, inter-broker traffic), `PROXIED` (advertised at the Toxiproxy proxy, when
 * one is asked for) and `SASL` (SASL_PLAINTEXT/PLAIN, when a user is given); `CONTROLLER` for KRaft.
 */
export class PrivateBroker {
  readonly dir: string;
  readonly logFile: string;
  /** `host:port` clients use to reach the broker without faults. */
  readonly directBrokers: string;
  /** `host:port` of the proxy in front of the broker; every connection made from it goes through Toxiproxy. */
  readonly proxiedBrokers: string | undefined;
  readonly saslBrokers: string | undefined;
  readonly proxy: Proxy | undefined;
  readonly #libs: string;
  readonly #heapMb: number;
  #child: ChildProcess | undefined;
  #exited: Promise<number | null> = Promise.resolve(null);
  readonly #killOnExit = () => this.#child?.kill('SIGKILL');

  private constructor(init: { dir: string; libs: string; ports: Ports; proxy: Proxy | undefined; sasl: boolean; heapMb: number }) {
    this.dir = init.dir;
    this.logFile = join(init.dir, 'logs', 'server.log');
    this.directBrokers = `127.0.0.1:${init.ports.direct}`;
    this.proxy = init.proxy;
    this.proxiedBrokers = init.proxy ? `127.0.0.1:${init.proxy.port}` : undefined;
    this.saslBrokers = init.sasl ? `127.0.0.1:${init.ports.sasl}` : undefined;
    this.#libs = init.libs;
    this.#heapMb = init.heapMb;
  }

  /** Formats a fresh log dir and starts the broker; resolves once it answers metadata requests. */
  static async start(options: PrivateBrokerOptions = {}): Promise<PrivateBroker> {
    const libs = await kafkaLibs();
    const dir = await mkdtemp(join(tmpdir(), 'orchestron-broker-'));
    const ports: Ports = { direct: await freePort(), proxied: await freePort(), sasl: await freePort(), controller: await freePort() };
    const proxy = options.toxiproxy
      ? await options.toxiproxy.createProxy({ name: unique('kafka'), upstream: `127.0.0.1:${ports.proxied}` })
      : undefined;
    const broker = new PrivateBroker({ dir, libs, ports, proxy, sasl: options.sasl !== undefined, heapMb: options.heapMb ?? 512 });
    try {
      await broker.#configure(ports, options.sasl);
      await broker.launch();
      await broker.#waitForCoordinators();
    } catch (error) {
      await broker.destroy();
      throw error;
    }
    return broker;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the JVM on the existing log dir (first start, or after `stop`) and waits until it is ready. */
  async launch(timeoutMs = 90_000): Promise<void> {
    if (this.running) throw new Error('the private broker is already running');
    const out = openSync(join(this.dir, 'logs', 'console.log'), 'a');
    try {
      this.#child = spawn('java', [...this.#javaOptions(), 'kafka.Kafka', join(this.dir, 'server.properties')], {
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
    const child = this.#child;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    process.once('exit', this.#killOnExit);
    await this.#waitReady(timeoutMs);
  }

  /** Stops the broker with `signal` and waits for the process to end (SIGKILL after `timeoutMs`). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM', timeoutMs = 60_000): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    child.kill(signal);
    const late = Symbol('late');
    if ((await Promise.race([this.#exited, sleep(timeoutMs, late)])) === late) {
      child.kill('SIGKILL');
      await this.#exited;
    }
    process.off('exit', this.#killOnExit);
  }

  /** Stops the broker, removes its proxy and deletes its files. */
  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    await this.proxy?.delete().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The broker's log4j log so far. */
  async log(): Promise<string> {
    return readFile(this.logFile, 'utf8').catch(() => '');
  }

  #javaOptions(): string[] {
    return [
      `-Xms128m`,
      `-Xmx${this.#heapMb}m`,
      '-XX:+UseG1GC',
      // C1 only: starts in about half the time, plenty fast for the scenarios' loads.
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${join(this.dir, 'logs')}`,
      '-cp',
      `${this.#libs}/*`,
    ];
  }

  async #configure(ports: Ports, sasl: SaslUser | undefined): Promise<void> {
    if (sasl && !/^[\w.~@%+=:,/-]+$/.test(`${sasl.username}${sasl.password}`)) {
      throw new Error('SASL username and password: letters, digits and . _ ~ @ % + = : , / - only (they go into a JAAS string)');
    }
    const host = '127.0.0.1';
    const listeners = [`DIRECT://${host}:${ports.direct}`, `CONTROLLER://${host}:${ports.controller}`];
    const advertised = [`DIRECT://${host}:${ports.direct}`];
    const protocols = ['DIRECT:PLAINTEXT', 'CONTROLLER:PLAINTEXT'];
    if (this.proxy) {
      listeners.push(`PROXIED://${host}:${ports.proxied}`);
      advertised.push(`PROXIED://${host}:${this.proxy.port}`);
      protocols.push('PROXIED:PLAINTEXT');
    }
    if (sasl) {
      listeners.push(`SASL://${host}:${ports.sasl}`);
      advertised.push(`SASL://${host}:${ports.sasl}`);
      protocols.push('SASL:SASL_PLAINTEXT');
    }
    const dataDir = join(this.dir, 'data');
    const properties = [
      '# Generated by chaos/private-broker.ts: a private single-node KRaft cluster for one chaos scenario.',
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@${host}:${ports.controller}`,
      `listeners=${listeners.join(',')}`,
      `advertised.listeners=${advertised.join(',')}`,
      `listener.security.protocol.map=${protocols.join(',')}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=DIRECT',
      ...(sasl
        ? [
            'listener.name.sasl.sasl.enabled.mechanisms=PLAIN',
            `listener.name.sasl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${sasl.username}="${sasl.password}";`,
          ]
        : []),
      `log.dirs=${dataDir}`,
      'num.partitions=1',
      'auto.create.topics.enable=true',
      // One node: internal topics with one replica; few partitions, so that they are created quickly.
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=3',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      // A broker killed with SIGKILL can register again only once its old registration's session has expired.
      'broker.heartbeat.interval.ms=500',
      'broker.session.timeout.ms=3000',
    ];
    await mkdir(join(this.dir, 'logs'), { recursive: true });
    await writeFile(join(this.dir, 'server.properties'), `${properties.join('\n')}\n`);
    await writeFile(
      join(this.dir, 'log4j2.properties'),
      [
        'status = warn',
        'appender.file.type = File',
        'appender.file.name = file',
        `appender.file.fileName = ${this.logFile}`,
        'appender.file.layout.type = PatternLayout',
        'appender.file.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = info',
        'rootLogger.appenderRef.file.ref = file',
        '',
      ].join('\n'),
    );
    await new Promise<void>((resolve, reject) =>
      execFile(
        'java',
        [...this.#javaOptions(), 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', join(this.dir, 'server.properties')],
        (error, _out, err) => (error ? reject(new Error(`formatting the private broker's storage failed: ${err}`)) : resolve()),
      ),
    );
  }

  /**
   * A fresh cluster creates its offsets and transaction-state topics on the first request for a coordinator, and
   * answers COORDINATOR_NOT_AVAILABLE until they are loaded: asked once here, so that the scenarios start on a broker
   * that is ready for groups and transactions, not on a cold start.
   */
  async #waitForCoordinators(timeoutMs = 90_000): Promise<void> {
    const admin = new Admin({ clientId: 'chaos-wait', bootstrapBrokers: [this.directBrokers], retries: 0, requestTimeout: 5_000 });
    const deadline = Date.now() + timeoutMs;
    try {
      for (const keyType of [FindCoordinatorKeyTypes.GROUP, FindCoordinatorKeyTypes.TRANSACTION]) {
        for (;;) {
          try {
            await admin.findCoordinator({ keyType, keys: ['chaos-warm-up'] });
            break;
          } catch (error) {
            if (Date.now() > deadline) throw new Error(`the private broker has no coordinator after ${timeoutMs} ms (${String(error)}); see ${this.logFile}`);
            await sleep(250);
          }
        }
      }
    } finally {
      await admin.close().catch(() => {});
    }
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the private broker exited during startup; see ${this.logFile}`);
      const admin = new Admin({ clientId: 'chaos-wait', bootstrapBrokers: [this.directBrokers], retries: 0, connectTimeout: 2_000, requestTimeout: 5_000 });
      try {
        const metadata = await admin.metadata({ topics: [], forceUpdate: true });
        if (metadata.brokers.size > 0) return;
      } catch (error) {
        lastError = error;
      } finally {
        await admin.close().catch(() => {});
      }
      await sleep(250);
    }
    throw new Error(`the private broker did not answer within ${timeoutMs} ms (${String(lastError)}); see ${this.logFile}`);
  }
}
