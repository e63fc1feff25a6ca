package yarnps.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.common.KeyCodec;
import yarnps.common.Replicas;
import yarnps.rpc.Errors;
import yarnps.rpc.PsWire;
import yarnps.rpc.net.ClientConnection;
import yarnps.rpc.net.DirectBufferPool;
import yarnps.rpc.net.SelectorLoop;
import yarnps.rpc.net.ThriftWire;
import yarnps.thrift.PsError;
import yarnps.thrift.ServerAddress;

/**
 * A server's side of chain replication: forwards the pushes it stored to the next server of each
 * range's chain ({@link Replicas#next}) as PushRequests with {@code replica = true}, the same
 * worker, clock, requestId and part, keys in full (no key cache), and acknowledges the push it
 * received once every forward was acknowledged. A push whose ranges continue to several servers
 * is split into one forward per server.
 *
 * <p>Forwards are encoded and sent on a thread of this chain (never on the selector thread that
 * received the push) over multiplexed {@link ClientConnection}s, one per peer, opened on first use
 * and reopened after a failure. Replies arrive on this chain's own selector loop. A peer that
 * cannot be reached, or that refuses with a retryable error, makes the push fail with RECOVERING:
 * it is stored here, and the worker's resend is recognised as a duplicate and only forwarded.
 */
final class ReplicaChain implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaChain.class);

  private final int self;
  private final int maxFrameBytes;
  private final int timeoutMs;
  private final SelectorLoop loop;
  private final DirectBufferPool pool;
  private final ExecutorService sender;
  private volatile Replicas replicas;
  private volatile ServerAddress[] addresses;
  private final ClientConnection[] connections;
  /** Key blocks are encoded here, by the sender thread only (maxBytes and encode of one call run back to back). */
  private byte[] keyScratch = new byte[64 << 10];
  final LongAdder forwards = new LongAdder();
  final LongAdder forwardFailures = new LongAdder();
  final LongAdder keysForwarded = new LongAdder();

  ReplicaChain(int self, int numServers, int maxFrameBytes, int timeoutMs) throws IOException {
    this.self = self;
    this.maxFrameBytes = maxFrameBytes;
    this.timeoutMs = timeoutMs;
    this.loop = new SelectorLoop("ps-server-" + self + "-chain-io");
    this.pool = new DirectBufferPool(Math.min(64L << 20, 4L * maxFrameBytes));
    this.connections = new ClientConnection[numServers];
    this.addresses = new ServerAddress[numServers];
    AtomicInteger n = new AtomicInteger();
    this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "ps-server-" + self + "-chain-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    });
  }

  /** The chains and peer addresses of a (new) layout; connections to moved peers are dropped. */
  synchronized void install(Replicas replicas, List<ServerAddress> servers) {
    ServerAddress[] next = addresses.clone();
    for (ServerAddress a : servers) {
      int i = a.getIndex();
      if (i < 0 || i >= next.length) {
        throw new IllegalArgumentException("layout names server " + i + " of " + next.length);
      }
      ServerAddress old = next[i];
      if (old != null && old.getHost().equals(a.getHost()) && old.getPort() == a.getPort()) {
        continue;
      }
      if (connections[i] != null) {
        connections[i].close(new IOException("server " + i + " moved to " + a.getHost() + ":" + a.getPort()));
        connections[i] = null;
      }
      next[i] = a;
    }
    this.addresses = next;
    this.replicas = replicas;
  }

  Replicas replicas() {
    return replicas;
  }

  /** The peers' addresses by server index (null where unknown). */
  ServerAddress[] addresses() {
    return addresses.clone();
  }

  /**
   * Forwards the stored push (keys[0, n) sorted, values width per key, cut into runs by range) to
   * the next server of each run's chain. Returns true when there is nothing to forward (the caller
   * acknowledges now); else reply is answered once every forward is acknowledged or one failed.
   * Copies what it sends (but keys that are immutable, a cached key list, when all of them go to
   * one server): keys and values may be reused once this returns.
   */
  boolean forward(PsWire.Request req, int width, long[] keys, boolean keysImmutable, float[] values, int[] runs,
      int numRuns, DataPlane.PushReply reply) {
    Replicas rep = replicas;
    int[] targets = new int[Math.min(numRuns, connections.length)];
    int numTargets = 0;
    for (int k = 0; k < numRuns; k++) {
      int t = rep.next(runs[3 * k], self);
      if (t >= 0 && indexOf(targets, numTargets, t) < 0) {
        targets[numTargets++] = t;
      }
    }
    if (numTargets == 0) {
      return true;
    }
    Acks acks = new Acks(numTargets, reply);
    for (int i = 0; i < numTargets; i++) {
      int target = targets[i];
      int count = 0;
      for (int k = 0; k < numRuns; k++) {
        if (rep.next(runs[3 * k], self) == target) {
          count += runs[3 * k + 2] - runs[3 * k + 1];
        }
      }
      boolean whole = numTargets == 1 && count == runs[3 * numRuns - 1] - runs[1];
      long[] ks = whole && keysImmutable && runs[1] == 0 && count == keys.length ? keys : new long[count];
      float[] vs = new float[count * width];
      int at = 0;
      for (int k = 0; k < numRuns; k++) {
        if (rep.next(runs[3 * k], self) == target) {
          int from = runs[3 * k + 1];
          int len = runs[3 * k + 2] - from;
          if (ks != keys) {
            System.arraycopy(keys, from, ks, at, len);
          }
          System.arraycopy(values, from * width, vs, at * width, len * width);
          at += len;
        }
      }
      Forward f = new Forward(target, req.table, req.layoutVersion, req.worker, req.clock, req.requestId, req.part,
          ks, vs, width, acks);
      try {
        sender.execute(f::send);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        f.onFailure(new IOException("server " + self + " is shutting down", e));
      }
    }
    return false;
  }

  private static int indexOf(int[] a, int n, int v) {
    for (int i = 0; i < n; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  /** A connection to server i, opened if needed; runs on the sender thread. */
  private ClientConnection connection(int i) throws IOException {
    synchronized (this) {
      ClientConnection c = connections[i];
      if (c != null && !c.isClosed()) {
        return c;
      }
    }
    ServerAddress a = addresses[i];
    if (a == null) {
      throw new IOException("no address of server " + i);
    }
    ClientConnection c = ClientConnection.open(a.getHost(), a.getPort(), loop, maxFrameBytes, 256, pool, timeoutMs);
    synchronized (this) {
      if (addresses[i] != a) {
        c.close(null);
        throw new IOException("server " + i + " moved while connecting");
      }
      connections[i] = c;
    }
    return c;
  }

  /** The acknowledgements a push waits for; the first failure answers it. */
  private static final class Acks {
    private final AtomicInteger left;
    private final DataPlane.PushReply reply;
    private final java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();

    Acks(int n, DataPlane.PushReply reply) {
      this.left = new AtomicInteger(n);
      this.reply = reply;
    }

    void ok() {
      if (left.decrementAndGet() == 0 && answered.compareAndSet(false, true)) {
        reply.finishDeferred();
      }
    }

    void fail(PsError e) {
      if (answered.compareAndSet(false, true)) {
        reply.failDeferred(e);
      }
    }
  }

  /** One forwarded push to one replica. */
  private final class Forward implements ClientConnection.Call {
    private final int target;
    private final String table;
    private final long layoutVersion;
    private final int worker;
    private final long clock;
    private final long requestId;
    private final int part;
    private final long[] keys;
    private final float[] values;
    private final int width;
    private final Acks acks;
    private int keyBytes = -1;

    Forward(int target, String table, long layoutVersion, int worker, long clock, long requestId, int part,
        long[] keys, float[] values, int width, Acks acks) {
      this.target = target;
      this.table = table;
      this.layoutVersion = layoutVersion;
      this.worker = worker;
      this.clock = clock;
      this.requestId = requestId;
      this.part = part;
      this.keys = keys;
      this.values = values;
      this.width = width;
      this.acks = acks;
    }

    void send() {
      try {
        connection(target).call(this, timeoutMs);
      } catch (IOException e) {
        onFailure(e);
      }
    }

    @Override
    public int maxBytes() {
      int need = KeyCodec.maxEncodedSize(keys.length);
      if (keyScratch.length < need) {
        keyScratch = new byte[Math.max(need, 2 * keyScratch.length)];
      }
      keyBytes = KeyCodec.encode(keys, 0, keys.length, keyScratch, 0);
      return PsWire.FIXED_OVERHEAD + ThriftWire.stringSize(table) + keyBytes + 4 * values.length;
    }

    @Override
    public void encode(ByteBuffer b, int seqid) {
      PsWire.beginRequest(b, true, seqid, table, layoutVersion, keys.length, worker, clock, 0, requestId);
      PsWire.pushChain(b, part, true);
      int at = PsWire.beginBinary(b, PsWire.KEYS_FIELD);
      b.put(keyScratch, 0, keyBytes);
      PsWire.endBinary(b, at);
      at = PsWire.beginBinary(b, PsWire.VALUES_FIELD);
      b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
      b.position(b.position() + 4 * values.length);
      PsWire.endBinary(b, at);
      PsWire.endRequest(b);
    }

    @Override
    public void onReply(ByteBuffer frame, ThriftWire.MessageHeader h) {
      PsWire.Reply r = PsWire.readReply(frame, h.type, true);
      if (r.error == null) {
        forwards.increment();
        keysForwarded.add(keys.length);
        acks.ok();
        return;
      }
      forwardFailures.increment();
      PsError e = r.error;
      acks.fail(e.isCanRetry() ? Errors.recovering("server " + self + " stored the push but replica " + target
          + " refused it: " + e.getCode() + ": " + e.getMessage()) : e);
    }

    @Override
    public void onFailure(Throwable cause) {
      forwardFailures.increment();
      LOG.debug("forward to replica {} failed", target, cause);
      acks.fail(Errors.recovering("server " + self + " stored the push but cannot reach replica " + target + ": "
          + cause.getMessage()));
    }
  }

  @Override
  public void close() {
    sender.shutdownNow();
    synchronized (this) {
      for (ClientConnection c : connections) {
        if (c != null) {
          c.close(null);
        }
      }
    }
    loop.close();
  }
}
