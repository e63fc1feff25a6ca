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
 *
 * <p>Pushes carry requestId {@code clock << 24 | n}, n the push's sequence number within the
 * client's clock, and part, the slice's index within the call: the same for the same job, so a
 * server recognises a resent or replayed push. Given a {@link LayoutSource}, calls (and clock
 * updates) that meet a lost server wait for a newer layout and are resent (see {@link ChunkCall}).
 */
public final class ThriftParameterClient implements ParameterClient, Closeable {
  /** Slices of at least this many keys are spread over the server's connections. */
  private static final int SPREAD_MIN_KEYS = 1 << 16;

  private final KeyLayout layout;
  /** The layout version calls carry: rises when a newer layout is adopted after a lost server. */
  private volatile long layoutVersion;
  private final LayoutSource layoutSource;
  /** Calls waiting for a newer layout, failed by {@link #close} (their polls are dropped with the timer). */
  private final Map<java.util.concurrent.atomic.AtomicBoolean, java.util.function.Consumer<Throwable>> waitingForLayout =
      new ConcurrentHashMap<>();
  private volatile boolean closed;
  private final long recoveryTimeoutNanos;
  /** The last layout fetched from the source and when (nanoTime), shared by the calls waiting for one. */
  private final Object fetchLock = new Object();
  private yarnps.thrift.Layout lastFetched;
  private long lastFetchedAt;
  private final Map<String, Integer> widths;
  private final int maxWidth;
  private final int worker;
  private final AtomicLong clock = new AtomicLong();
  private final AtomicLong timestamps = new AtomicLong();
  /** Pushes issued in the current clock, for their requestIds; guarded by this. */
  private long pushesInClock;
  /** Tasks not finished yet, by timestamp, for waitFor. */
  private final ConcurrentHashMap<Long, Task<?>> running = new ConcurrentHashMap<>();
  /** Pushes issued in the current clock, guarded by this. */
  private final List<CompletableFuture<?>> clockPushes = new ArrayList<>();
  /** The last clock update sent (or being sent), guarded by this. */
  private CompletableFuture<Void> clockSent = CompletableFuture.completedFuture(null);
  private final ClientOptions options;
  /** Replaced as a whole (copy on write) when a server moved. */
  private volatile ServerChannel[] servers;
  private final SelectorLoop loop;
  private final DirectBufferPool pool;
  private final ScheduledExecutorService timer;
  /** Fetches layouts and resends calls after a lost server (may block on the AM or a connect). */
  private final java.util.concurrent.ExecutorService retries;
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
    final LongAdder layoutsAdopted = new LongAdder();
  }

  public ThriftParameterClient(KeyLayout layout, List<ServerAddress> addresses, Map<String, Integer> widths,
      int worker, ClientOptions options) throws IOException {
    this(layout, addresses, widths, worker, options, null, 0);
  }

  /**
   * A client that survives lost servers: a failed call waits up to recoveryTimeoutMs for source to
   * name a newer layout (see {@link ChunkCall}); null source: calls fail at once.
   */
  public ThriftParameterClient(KeyLayout layout, List<ServerAddress> addresses, Map<String, Integer> widths,
      int worker, ClientOptions options, LayoutSource source, long recoveryTimeoutMs) throws IOException {
    this.layout = layout;
    this.layoutVersion = layout.version();
    this.layoutSource = source;
    this.recoveryTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(recoveryTimeoutMs);
    this.widths = Map.copyOf(widths);
    this.maxWidth = widths.values().stream().mapToInt(Integer::intValue).max().orElse(1);
    this.worker = worker;
    this.options = options;
    this.codec = BlockCompressor.codecOf(options.compression());
    // Fails now, naming the cause, when the codec's native library is missing on this host.
    BlockCompressor.forThisThread(codec);
    this.loop = new SelectorLoop("ps-client-" + worker + "-io");
    this.pool = new DirectBufferPool(Math.min(256L << 20, 4L * options.maxFrameBytes()));
    ServerChannel[] servers = new ServerChannel[layout.numServers()];
    for (ServerAddress a : addresses) {
      servers[a.getIndex()] = new ServerChannel(a.getIndex(), a.getHost(), a.getPort(), loop, pool, options);
    }
    this.servers = servers;
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
    this.retries = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ps-client-" + worker + "-retry");
      t.setDaemon(true);
      return t;
    });
    long period = Math.max(50, Math.min(1000, options.timeoutMs() / 4));
    timer.scheduleWithFixedDelay(() -> {
      long now = System.nanoTime();
      for (ServerChannel s : this.servers) {
        s.expire(now);
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  ClientOptions options() {
    return options;
  }

  long layoutVersion() {
    return layoutVersion;
  }

  /** The channel to server index as of the newest layout adopted. */
  ServerChannel server(int index) {
    return servers[index];
  }

  boolean recovers() {
    return layoutSource != null;
  }

  long recoveryTimeoutNanos() {
    return recoveryTimeoutNanos;
  }

  /**
   * Runs resend once the layout source names a version newer than sentVersion (adopting it first),
   * polling with backoff from 50 ms to 1 s; if sameVersionToo also when it names sentVersion itself
   * (the server had not installed it yet). Past deadline (System.nanoTime) calls fail instead.
   * Never blocks the caller: polls run on the timer, fetches and resends on a retry thread.
   */
  void afterNewerLayout(long sentVersion, boolean sameVersionToo, long deadline, Runnable resend,
      java.util.function.Consumer<Throwable> fail) {
    // Exactly one of resend and fail runs: the first of the poll's outcome and close().
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.function.Consumer<Throwable> failOnce = t -> {
      if (done.compareAndSet(false, true)) {
        waitingForLayout.remove(done);
        fail.accept(t);
      }
    };
    Runnable resendOnce = () -> {
      if (done.compareAndSet(false, true)) {
        waitingForLayout.remove(done);
        resend.run();
      }
    };
    waitingForLayout.put(done, failOnce);
    if (closed) {
      failOnce.accept(new IOException("client closed"));
      return;
    }
    pollLayout(sentVersion, sameVersionToo, deadline, 50, resendOnce, failOnce);
  }

  private void pollLayout(long sentVersion, boolean sameVersionToo, long deadline, long delayMs, Runnable resend,
      java.util.function.Consumer<Throwable> fail) {
    try {
      timer.schedule(() -> retries.execute(() -> {
        if (layoutVersion > sentVersion) {
          resend.run();
          return;
        }
        Throwable problem = null;
        try {
          yarnps.thrift.Layout l = fetchLayout();
          if (l.getVersion() > sentVersion) {
            adopt(l);
            resend.run();
            return;
          }
          if (sameVersionToo && l.getVersion() == sentVersion) {
            resend.run();
            return;
          }
        } catch (IOException | RuntimeException e) {
          problem = e;
        }
        if (System.nanoTime() - deadline >= 0) {
          fail.accept(new IOException("no layout newer than version " + sentVersion + " within the recovery timeout"
              + (problem == null ? "" : " (last: " + problem + ")"), problem));
          return;
        }
        pollLayout(sentVersion, sameVersionToo, deadline, Math.min(1000, delayMs * 2), resend, fail);
      }), delayMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      fail.accept(new IOException("client closed while waiting for a newer layout", e));
    }
  }

  /** The source's layout, fetched at most once per 40 ms for all waiting calls. */
  private yarnps.thrift.Layout fetchLayout() throws IOException {
    synchronized (fetchLock) {
      long now = System.nanoTime();
      if (lastFetched != null && now - lastFetchedAt < TimeUnit.MILLISECONDS.toNanos(40)) {
        return lastFetched;
      }
      lastFetched = layoutSource.fetch();
      lastFetchedAt = now;
      return lastFetched;
    }
  }

  /**
   * Makes a newer layout this client's: servers at a new address get a new channel (calls on the
   * old one fail and are resent). Ranges must be unchanged: they never move when a server is replaced.
   */
  private synchronized void adopt(yarnps.thrift.Layout l) {
    if (l.getVersion() <= layoutVersion) {
      return;
    }
    KeyLayout next = KeyLayout.fromThrift(l);
    if (!next.toThriftRanges().equals(layout.toThriftRanges())) {
      throw new IllegalStateException("layout version " + l.getVersion() + " moves key ranges; a client keeps its"
          + " ranges for the whole job");
    }
    ServerChannel[] now = servers.clone();
    List<ServerChannel> old = new ArrayList<>();
    for (ServerAddress a : l.getServers()) {
      ServerChannel c = now[a.getIndex()];
      if (!c.host.equals(a.getHost()) || c.port != a.getPort()) {
        now[a.getIndex()] = new ServerChannel(a.getIndex(), a.getHost(), a.getPort(), loop, pool, options);
        old.add(c);
      }
    }
    servers = now;
    layoutVersion = l.getVersion();
    counters.layoutsAdopted.increment();
    old.forEach(ServerChannel::close);
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
  public synchronized void startClock(long c) {
    if (c < 0) {
      throw new IllegalArgumentException("clock " + c + " is negative");
    }
    clock.set(c);
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
    long requestId = -1;
    long c;
    if (push) {
      synchronized (this) {
        c = clock.get();
        requestId = c << 24 | pushesInClock++;
      }
    } else {
      c = clock.get();
    }
    ServerChannel[] now = servers;
    for (int part = 0; part < p.chunks.size(); part++) {
      KeyChunk chunk = p.chunks.get(part);
      ServerChannel server = now[chunk.server];
      boolean sendKeys = !options.keyCache() || !server.directory.has(chunk.signature);
      new ChunkCall(this, server, push, table, width, p.keys, chunk, p.keep, values, pending, sendKeys, requestId,
          part, c).send();
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
    pushesInClock = 0;
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
          for (int s = 0; s < servers.length; s++) {
            sent.add(clockTo(s, c, leaving));
          }
          return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0]));
        });
    return clockSent;
  }

  /** Sends a clock update to server index, retried like a data call when the server is lost. */
  private CompletableFuture<Void> clockTo(int index, long c, boolean leaving) {
    return onServer(index, "clock update", 0,
        () -> ControlCall.clock(servers[index], worker, c, leaving, options.timeoutMs()));
  }

  /**
   * Saves a table's part on server index; a save that failed because the server was lost is made
   * again on its replacement once a newer layout names it (a save writes its part file afresh).
   */
  private CompletableFuture<SaveResult> saveTo(int index, String table, String dir) {
    return onServer(index, "save " + table, 0, () -> ControlCall.save(servers[index], table, dir));
  }

  /**
   * Runs a control call on server index (call reads the server's current channel each time); when
   * it fails retryably (the server was lost) and a layout source is known, makes it again once a
   * newer layout names the replacement, until the recovery deadline (0: from now).
   */
  private <T> CompletableFuture<T> onServer(int index, String what, long deadline,
      java.util.function.Supplier<CompletableFuture<T>> call) {
    long sentVersion = layoutVersion;
    return call.get().handle((r, e) -> {
      if (e == null) {
        return CompletableFuture.completedFuture(r);
      }
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
      if (layoutSource == null || !(cause instanceof ServerCallException sce && sce.canRetry())) {
        return CompletableFuture.<T>failedFuture(cause);
      }
      long until = deadline != 0 ? deadline : System.nanoTime() + recoveryTimeoutNanos;
      CompletableFuture<T> next = new CompletableFuture<>();
      afterNewerLayout(sentVersion, false, until, () -> onServer(index, what, until, call).whenComplete((x, f) -> {
        if (f != null) {
          next.completeExceptionally(f);
        } else {
          next.complete(x);
        }
      }), f -> next.completeExceptionally(new ServerCallException(what + " to server " + index
          + " failed and no newer layout came: " + f.getMessage(), false, cause)));
      return next;
    }).thenCompose(f -> f);
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
    for (int s = 0; s < servers.length; s++) {
      int index = s;
      parts.add(saveTo(index, table, dir).thenApply((SaveResult r) ->
          new SavedPart(index, r.getPath(), r.getKeys(), r.getBytes())));
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
        "wire_value_bytes", counters.wireValueBytes.sum(), "layouts_adopted", counters.layoutsAdopted.sum());
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    retries.shutdownNow();
    for (ServerChannel s : servers) {
      s.close();
    }
    loop.close();
    // Calls waiting for a newer layout sat in the retry queues just dropped: fail them, and every
    // other unfinished call, so that no caller waits on a closed client.
    ServerCallException closed = new ServerCallException("the parameter client of worker " + worker
        + " was closed (the job was rolled back, or is ending)", false, null);
    for (Task<?> t : running.values()) {
      t.completeExceptionally(closed);
    }
    for (java.util.function.Consumer<Throwable> f : List.copyOf(waitingForLayout.values())) {
      f.accept(closed);
    }
    synchronized (this) {
      clockSent.completeExceptionally(closed);
    }
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
