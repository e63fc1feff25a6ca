package yarnps.worker;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import yarnps.common.BlockCompressor;
import yarnps.common.KeyArrays;
import yarnps.common.KeyCodec;
import yarnps.common.KeyLayout;
import yarnps.rpc.PsWire;
import yarnps.rpc.net.DirectBufferPool;
import yarnps.rpc.net.SelectorLoop;
import yarnps.thrift.BlockCodec;
import yarnps.thrift.SaveResult;
import yarnps.thrift.ServerAddress;
import yarnps.thrift.ServerStats;
import yarnps.worker.api.KeyList;
import yarnps.worker.api.ParameterClient;
import yarnps.worker.api.Task;

/**
 * {@link ParameterClient} over the servers' ParameterService: a call's keys are sliced by the
 * layout's key ranges (see {@link KeyChunk}), and every slice goes to its server at once, large
 * slices spread over the server's connections; calls are multiplexed on each connection and
 * matched to their replies by sequence id, with at most {@code yarnps.rpc.max.in.flight} per
 * connection (a caller past it waits). One selector thread reads every reply; a pull's values
 * go straight from the socket buffer into the caller's array. The returned futures complete on
 * that thread: chain heavy work with the {@code ...Async} methods.
 *
 * <p>Key caching ({@code yarnps.rpc.key.cache}): each slice carries its key list's signature;
 * once a server has acknowledged a slice with its keys, later calls with the same keys send only
 * the signature, and a server that no longer holds the list answers KEY_CACHE_MISS, upon which
 * the slice is resent with its keys. Compression ({@code yarnps.rpc.compression}) applies to key
 * and value blocks of at least {@code yarnps.rpc.compression.min.bytes}.
 */
public final class ThriftParameterClient implements ParameterClient, Closeable {
  /** Slices of at least this many keys are spread over the server's connections. */
  private static final int SPREAD_MIN_KEYS = 1 << 16;

  private final KeyLayout layout;
  private final Map<String, Integer> widths;
  private final int maxWidth;
  private final int worker;
  private final AtomicLong clock = new AtomicLong();
  private final AtomicLong timestamps = new AtomicLong();
  private final AtomicLong requestIds = new AtomicLong();
  /** Tasks not finished yet, by timestamp, for waitFor. */
  private final ConcurrentHashMap<Long, Task<?>> running = new ConcurrentHashMap<>();
  /** Pushes issued in the current clock, guarded by this. */
  private final List<CompletableFuture<?>> clockPushes = new ArrayList<>();
  /** The last clock update sent (or being sent), guarded by this. */
  private CompletableFuture<Void> clockSent = CompletableFuture.completedFuture(null);
  private final ClientOptions options;
  private final ServerChannel[] servers;
  private final SelectorLoop loop;
  private final DirectBufferPool pool;
  private final ScheduledExecutorService timer;
  /** The job's codec, NONE for no compression; compressors are per thread. */
  private final BlockCodec codec;
  private final ThreadLocal<ByteBuffer[]> encodeScratch = ThreadLocal.withInitial(() -> new ByteBuffer[1]);
  private ByteBuffer decodeScratch = ByteBuffer.allocateDirect(0);
  final Counters counters = new Counters();

  /** What this client sent and saved, for its heartbeats and the benchmark. */
  static final class Counters {
    final LongAdder keysSent = new LongAdder();
    final LongAdder keysNotSent = new LongAdder();
    final LongAdder keyCacheMisses = new LongAdder();
    final LongAdder rawKeyBytes = new LongAdder();
    final LongAdder wireKeyBytes = new LongAdder();
    final LongAdder rawValueBytes = new LongAdder();
    final LongAdder wireValueBytes = new LongAdder();
  }

  public ThriftParameterClient(KeyLayout layout, List<ServerAddress> addresses, Map<String, Integer> widths,
      int worker, ClientOptions options) throws IOException {
    this.layout = layout;
    this.widths = Map.copyOf(widths);
    this.maxWidth = widths.values().stream().mapToInt(Integer::intValue).max().orElse(1);
    this.worker = worker;
    this.options = options;
    this.codec = BlockCompressor.codecOf(options.compression());
    // Fails now, naming the cause, when the codec's native library is missing on this host.
    BlockCompressor.forThisThread(codec);
    this.loop = new SelectorLoop("ps-client-" + worker + "-io");
    this.pool = new DirectBufferPool(Math.min(256L << 20, 4L * options.maxFrameBytes()));
    this.servers = new ServerChannel[layout.numServers()];
    for (ServerAddress a : addresses) {
      servers[a.getIndex()] = new ServerChannel(a.getIndex(), a.getHost(), a.getPort(), loop, pool, options);
    }
    for (int s = 0; s < servers.length; s++) {
      if (servers[s] == null) {
        loop.close();
        throw new IllegalArgumentException("layout names server " + s + " but gives no address for it");
      }
    }
    AtomicInteger n = new AtomicInteger();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ps-client-" + worker + "-timer-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    });
    long period = Math.max(50, Math.min(1000, options.timeoutMs() / 4));
    timer.scheduleWithFixedDelay(() -> {
      long now = System.nanoTime();
      for (ServerChannel s : servers) {
        s.expire(now);
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  ClientOptions options() {
    return options;
  }

  long layoutVersion() {
    return layout.version();
  }

  int worker() {
    return worker;
  }

  @Override
  public long clock() {
    return clock.get();
  }

  /**
   * Sets the clock a new client starts at (a job resumed from a checkpoint, a replaced worker, a
   * run after a rollback), before its first call.
   */
  public void startClock(long c) {
    if (c < 0) {
      throw new IllegalArgumentException("clock " + c + " is negative");
    }
    clock.set(c);
  }

  long nextRequestId() {
    return requestIds.getAndIncrement();
  }

  /** The compressor for a block of rawBytes, or null to send it raw. */
  BlockCompressor compressorFor(int rawBytes) {
    return codec != BlockCodec.NONE && rawBytes >= options.compressMinBytes() ? BlockCompressor.forThisThread(codec)
        : null;
  }

  BlockCodec replyCodec() {
    return codec;
  }

  /** A cleared direct buffer of at least n bytes, private to the calling thread. */
  ByteBuffer encodeScratch(int n) {
    ByteBuffer[] holder = encodeScratch.get();
    if (holder[0] == null || holder[0].capacity() < n) {
      holder[0] = ByteBuffer.allocateDirect(Math.max(n, 64 << 10));
    }
    holder[0].clear();
    return holder[0];
  }

  /** A cleared direct buffer of at least n bytes for the reply thread. */
  ByteBuffer decodeScratch(int n) {
    if (decodeScratch.capacity() < n) {
      decodeScratch = ByteBuffer.allocateDirect(Math.max(n, 64 << 10));
    }
    decodeScratch.clear();
    return decodeScratch;
  }

  @Override
  public int width(String table) {
    Integer w = widths.get(table);
    if (w == null) {
      throw new IllegalArgumentException("unknown table '" + table + "' (tables: " + widths.keySet() + ")");
    }
    return w;
  }

  /** Keys per request such that a push of that many keys of the widest table fits one frame. */
  private int maxKeysPerChunk() {
    long perKey = KeyCodec.maxEncodedSize(1) + 4L * maxWidth;
    long room = options.maxFrameBytes() - PsWire.FIXED_OVERHEAD - 4096;
    if (codec != BlockCodec.NONE) {
      // Compression may expand incompressible blocks slightly; leave room for it.
      room = room * 7 / 8;
    }
    return (int) Math.max(1, room / perKey);
  }

  /** A key list sliced and signed for this client's layout. */
  private final class Prepared implements KeyList {
    final long[] keys;
    final List<KeyChunk> chunks;
    final boolean keep;

    Prepared(long[] keys, boolean keep) {
      if (!KeyArrays.isSortedUnique(keys, 0, keys.length)) {
        throw new IllegalArgumentException(
            "keys must be sorted ascending (unsigned) and unique; use KeyArrays.sortUnique");
      }
      this.keys = keys;
      this.keep = keep;
      this.chunks = KeyChunk.of(layout, keys, maxKeysPerChunk(), options.connectionsPerServer(), SPREAD_MIN_KEYS,
          options.keyCache());
    }

    ThriftParameterClient owner() {
      return ThriftParameterClient.this;
    }

    @Override
    public long[] keys() {
      return keys;
    }

    @Override
    public int size() {
      return keys.length;
    }
  }

  @Override
  public KeyList keys(long[] keys) {
    return new Prepared(keys, true);
  }

  private Prepared prepared(KeyList list) {
    if (list instanceof Prepared p && p.owner() == this) {
      return p;
    }
    throw new IllegalArgumentException("key list was not made by this client's keys()");
  }

  @Override
  public Task<Void> push(String table, long[] keys, float[] values) {
    return push(table, new Prepared(keys, false), values);
  }

  @Override
  public Task<Void> push(String table, KeyList keys, float[] values) {
    int width = width(table);
    Prepared p = prepared(keys);
    checkValues("push", table, p.keys, values.length, width);
    Task<Void> t = send(true, table, width, p, values, null);
    synchronized (this) {
      clockPushes.removeIf(CompletableFuture::isDone);
      clockPushes.add(t);
    }
    return t;
  }

  @Override
  public Task<float[]> pull(String table, long[] keys) {
    return pull(table, keys, new float[keys.length * width(table)]);
  }

  @Override
  public Task<float[]> pull(String table, long[] keys, float[] out) {
    return pull(table, new Prepared(keys, false), out);
  }

  @Override
  public Task<float[]> pull(String table, KeyList keys, float[] out) {
    int width = width(table);
    Prepared p = prepared(keys);
    checkValues("pull", table, p.keys, out.length, width);
    return send(false, table, width, p, out, out);
  }

  private static void checkValues(String op, String table, long[] keys, int values, int width) {
    if (values < (long) keys.length * width) {
      throw new IllegalArgumentException(op + " " + table + ": " + keys.length + " keys of width " + width
          + " need " + (long) keys.length * width + " values, got " + values);
    }
  }

  private <T> Task<T> send(boolean push, String table, int width, Prepared p, float[] values, T result) {
    long ts = timestamps.incrementAndGet();
    Pending<T> pending = new Pending<>(ts, p.chunks.size(), result);
    running.put(ts, pending.future);
    pending.future.whenComplete((v, e) -> running.remove(ts));
    long requestId = push ? nextRequestId() : -1;
    for (KeyChunk chunk : p.chunks) {
      ServerChannel server = servers[chunk.server];
      boolean sendKeys = !options.keyCache() || !server.directory.has(chunk.signature);
      new ChunkCall(this, server, push, table, width, p.keys, chunk, p.keep, values, pending, sendKeys, requestId)
          .send();
    }
    return pending.future;
  }

  @Override
  public void waitFor(long... timestamps) throws InterruptedException {
    for (long ts : timestamps) {
      Task<?> t = running.get(ts);
      if (t != null) {
        try {
          t.get();
        } catch (java.util.concurrent.ExecutionException e) {
          // Finished, unsuccessfully: the task's own future reports the failure.
        }
      }
    }
  }

  @Override
  public synchronized CompletableFuture<Void> advanceClock() {
    long next = clock.incrementAndGet();
    return clockAfterPushes(next, false);
  }

  @Override
  public synchronized CompletableFuture<Void> leaveClockGroup() {
    return clockAfterPushes(clock.get(), true);
  }

  /** Sends ClockUpdate(clock, leaving) to every server after the pushes so far and the previous update. */
  private CompletableFuture<Void> clockAfterPushes(long c, boolean leaving) {
    CompletableFuture<?>[] pushes = clockPushes.toArray(new CompletableFuture<?>[0]);
    clockPushes.clear();
    CompletableFuture<Void> previous = clockSent;
    clockSent = CompletableFuture.allOf(pushes).thenCombine(previous, (a, b) -> b)
        .thenCompose(v -> {
          List<CompletableFuture<Void>> sent = new ArrayList<>();
          for (ServerChannel server : servers) {
            sent.add(ControlCall.clock(server, worker, c, leaving, options.timeoutMs()));
          }
          return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0]));
        });
    return clockSent;
  }

  /** A call's future and how many of its requests are still unanswered. */
  static final class Pending<T> {
    final Task<T> future;
    private final AtomicInteger left;
    private final T result;

    Pending(long timestamp, int parts, T result) {
      this.future = new Task<>(timestamp);
      this.left = new AtomicInteger(parts);
      this.result = result;
      if (parts == 0) {
        future.complete(result);
      }
    }

    void partDone() {
      if (left.decrementAndGet() == 0) {
        future.complete(result);
      }
    }

    void fail(Throwable t) {
      future.completeExceptionally(t);
    }
  }

  @Override
  public CompletableFuture<List<SavedPart>> save(String table, String dir) {
    width(table);
    List<CompletableFuture<SavedPart>> parts = new ArrayList<>();
    for (ServerChannel server : servers) {
      parts.add(ControlCall.save(server, table, dir).thenApply((SaveResult r) ->
          new SavedPart(server.index, r.getPath(), r.getKeys(), r.getBytes())));
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
        .thenApply(v -> parts.stream().map(CompletableFuture::join).toList());
  }

  /** Stats of every server, for tests and tools. */
  public List<ServerStats> stats() {
    List<CompletableFuture<ServerStats>> parts = new ArrayList<>();
    for (ServerChannel server : servers) {
      parts.add(ControlCall.stats(server, options.timeoutMs()));
    }
    return parts.stream().map(CompletableFuture::join).toList();
  }

  /** This client's data-plane counters: keys sent and not sent (cached), raw and wire bytes. */
  public Map<String, Long> counters() {
    return Map.of("keys_sent", counters.keysSent.sum(), "keys_not_sent", counters.keysNotSent.sum(),
        "key_cache_misses", counters.keyCacheMisses.sum(), "raw_key_bytes", counters.rawKeyBytes.sum(),
        "wire_key_bytes", counters.wireKeyBytes.sum(), "raw_value_bytes", counters.rawValueBytes.sum(),
        "wire_value_bytes", counters.wireValueBytes.sum());
  }

  @Override
  public void close() {
    timer.shutdownNow();
    for (ServerChannel s : servers) {
      s.close();
    }
    loop.close();
  }

  /** A server's refusal or a failed call; the message names the server. */
  public static final class ServerCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean canRetry;

    ServerCallException(String message, boolean canRetry, Throwable cause) {
      super(message, cause);
      this.canRetry = canRetry;
    }

    public boolean canRetry() {
      return canRetry;
    }
  }

  @Override
  public String toString() {
    return "ThriftParameterClient(worker " + worker + ", servers " + Arrays.toString(servers) + ")";
  }
}
