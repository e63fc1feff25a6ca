package yarnps.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.common.KeyCodec;
import yarnps.common.KeyLayout;
import yarnps.common.Replicas;
import yarnps.common.ValueCodec;
import yarnps.common.KeySignature;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.rpc.PsWire;
import yarnps.model.ModelWriter;
import yarnps.rpc.Errors;
import yarnps.thrift.ClockUpdate;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PsError;
import yarnps.thrift.PullRequest;
import yarnps.thrift.PullResponse;
import yarnps.thrift.PushRequest;
import yarnps.thrift.SaveResult;
import yarnps.thrift.ServerStats;
import yarnps.thrift.TableStats;

/**
 * The parameters of one server: its tables' shards, the data plane's push and pull (keys resolved
 * through the {@link KeyCache} or decoded into per-thread buffers, values applied through the
 * table's updater), and the generated interface's stats and save. A malformed request is refused
 * with BAD_REQUEST and changes nothing; the connection and the server go on.
 */
public final class ParameterHandler implements ParameterService.Iface, DataPlane, ParameterEndpoint.WidthSource {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterHandler.class);

  private final int self;
  private final Configuration conf;
  private final List<TableSpec> specs;
  private volatile Map<String, TableShards> tables;
  private volatile KeyLayout layout;
  private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);
  private final KeyCache keyCache;
  private final PushBuffer held = new PushBuffer();
  private final ClockGroup clocks;
  private final CheckpointCut cut;
  private volatile RangeClocks rangeClocks;
  private final LongAdder keysNotSent = new LongAdder();
  private final AppliedIds applied;
  private final LongAdder duplicates = new LongAdder();
  /** Whether replicas resolve forwarded key lists through the key cache (yarnps.rpc.key.cache). */
  private final boolean replicaKeyCache;
  /** Chain replication (yarnps.replication > 0), else null. */
  private volatile ReplicaChain chain;
  /** A replacement server between its start and the end of recoverFromPeers: pushes answer RECOVERING. */
  private volatile boolean recovering;
  /** Transport counters to report with stats; set by the server once its endpoint exists. */
  private volatile java.util.function.Supplier<Map<String, Long>> transportCounters = this::counters;

  /** Reused per handler thread: grows to the largest request seen. */
  private static final class Buffers {
    long[] keys = new long[1024];
    float[] values = new float[1024];
    int[] runs = new int[96];
    /** Per run of the current push: whether it is new (not a duplicate). */
    boolean[] fresh = new boolean[32];
    /** The key-cache entry of the current request's keys, or null. */
    KeyCache.CachedKeys keyList;

    void ensure(int n, int floats, int maxRuns) {
      if (keys.length < n) {
        keys = new long[Math.max(n, keys.length * 2)];
      }
      if (values.length < floats) {
        values = new float[Math.max(floats, values.length * 2)];
      }
      if (runs.length < 3 * maxRuns) {
        runs = new int[3 * maxRuns];
        fresh = new boolean[maxRuns];
      }
    }
  }

  public ParameterHandler(int self, Configuration conf, List<TableSpec> specs) {
    this.self = self;
    this.conf = conf;
    this.specs = specs;
    this.keyCache = new KeyCache(PsKeys.KEY_CACHE_BYTES.get(conf));
    this.clocks = new ClockGroup(PsKeys.CONSISTENCY.get(conf), PsKeys.CONSISTENCY_TAU.get(conf),
        PsKeys.WORKERS.get(conf), held);
    this.cut = new CheckpointCut(self, clocks, this::applyHeld, PsKeys.CHECKPOINT_TIMEOUT_MS.get(conf));
    if (PsKeys.SERVER_THREADS.get(conf) < 2) {
      LOG.warn("{} = 1: a checkpoint waiting for the workers' clocks holds the only thread that handles their"
          + " clock updates, so every checkpoint will time out", PsKeys.SERVER_THREADS.name());
    }
    this.applied = new AppliedIds(PsKeys.WORKERS.get(conf));
    this.replicaKeyCache = PsKeys.KEY_CACHE.get(conf);
  }

  /** Makes stats and heartbeats report these counters (the endpoint's, which include this handler's). */
  public void reportCounters(java.util.function.Supplier<Map<String, Long>> counters) {
    this.transportCounters = counters;
  }

  /**
   * Creates the shards of the ranges this server holds in {@code layout} (owned, and replicated
   * under {@code yarnps.replication}); until then calls are NOT_READY. Without the peers' addresses
   * (see {@link #install(yarnps.thrift.Layout)}) a replicated push cannot be forwarded.
   *
   * @throws IllegalArgumentException if yarnps.replication is not below the number of servers
   */
  public void install(KeyLayout layout) {
    Replicas replicas = new Replicas(layout, PsKeys.REPLICATION.get(conf));
    Map<String, TableShards> t = new HashMap<>();
    for (int i = 0; i < specs.size(); i++) {
      t.put(specs.get(i).name(), new TableShards(specs.get(i), replicas, self, i));
    }
    if (replicas.copies() > 0 && chain == null) {
      try {
        chain = new ReplicaChain(self, layout.numServers(), PsKeys.RPC_MAX_FRAME.get(conf),
            PsKeys.RPC_TIMEOUT_MS.get(conf));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("server " + self + " cannot start its replication client", e);
      }
    }
    if (chain != null) {
      chain.install(replicas, List.of());
    }
    this.rangeClocks = new RangeClocks(layout.numRanges(), PsKeys.WORKERS.get(conf));
    this.layout = layout;
    this.tables = t;
  }

  /** The version of the installed layout; 0 before the first. */
  public long layoutVersion() {
    KeyLayout l = layout;
    return l == null ? 0 : l.version();
  }

  /** As {@link #install(KeyLayout)}, with the servers' addresses for chain replication. */
  public void install(yarnps.thrift.Layout layout) {
    install(KeyLayout.fromThrift(layout));
    if (chain != null) {
      chain.install(chain.replicas(), layout.getServers());
    }
  }

  /**
   * A replacement server: until {@link #recoverFromPeers} ends, pushes are refused with RECOVERING
   * and pulls with NOT_READY.
   */
  public void markRecovering() {
    recovering = true;
  }

  /** Stops the replication client. */
  public void close() {
    ReplicaChain c = chain;
    if (c != null) {
      c.close();
    }
  }

  private TableShards table(String name) throws PsError {
    Map<String, TableShards> t = tables;
    if (t == null) {
      throw Errors.notReady("server " + self + " has no layout yet");
    }
    TableShards shards = t.get(name);
    if (shards == null) {
      throw Errors.badRequest("unknown table '" + name + "' (tables: " + t.keySet() + ")");
    }
    return shards;
  }

  private void checkLayout(long version) throws PsError {
    if (version != layout.version()) {
      throw Errors.staleLayout("request has layout version " + version + ", server " + self + " has " + layout.version());
    }
  }

  @Override
  public int width(String table) {
    Map<String, TableShards> t = tables;
    TableShards shards = t == null ? null : t.get(table);
    if (shards == null) {
      throw new IllegalArgumentException("unknown table '" + table + "'");
    }
    return shards.width();
  }

  /**
   * The request's keys: the cached list its signature names, or its key block decoded (and then
   * cached when it carries a signature). Sets b.keyList to the cache entry, or null.
   * Returns an array of at least numKeys keys.
   */
  private long[] keys(String op, PsWire.Request req, TableShards t, Buffers b, int floats) throws PsError {
    b.keyList = null;
    int n = req.numKeys;
    if (n < 0 || n > req.keys.remaining() && !(req.keySignature != 0 && !req.keys.hasRemaining())) {
      throw Errors.badRequest(op + " " + req.table + ": key count " + n + " does not fit a key block of "
          + req.keys.remaining() + " bytes (each key takes at least one byte)");
    }
    b.ensure(n, floats, Math.min(Math.max(n, 1), layout.numRanges()));
    if (req.keySignature != 0 && !req.keys.hasRemaining() && n > 0) {
      KeyCache.CachedKeys cached = keyCache.get(req.worker, req.keySignature, n);
      if (cached == null) {
        throw Errors.keyCacheMiss(op + " " + req.table + ": server " + self + " holds no key list "
            + Long.toHexString(req.keySignature) + " of " + n + " keys from worker " + req.worker);
      }
      keysNotSent.add(n);
      b.keyList = cached;
      return cached.keys;
    }
    long[] keys = req.keySignature != 0 ? new long[n] : b.keys;
    try {
      KeyCodec.decode(req.keys, n, keys, 0);
    } catch (IllegalArgumentException e) {
      throw Errors.badRequest(op + " " + req.table + ": bad key block: " + e.getMessage());
    }
    if (req.replica && req.keySignature == 0 && replicaKeyCache && n > 0) {
      return replicaKeys(req, keys, n, b);
    }
    if (req.keySignature != 0) {
      long actual = KeySignature.of(keys, 0, n);
      if (actual != req.keySignature) {
        throw Errors.badRequest(op + " " + req.table + ": key signature " + Long.toHexString(req.keySignature)
            + " does not match the " + n + " keys sent (" + Long.toHexString(actual) + ")");
      }
      b.keyList = keyCache.put(req.worker, req.keySignature, keys, specs.size());
    }
    return keys;
  }

  /**
   * A forwarded push's keys (always sent in full) resolved through this server's key cache, so that
   * a replica repeating the same key list updates its rows by cached slots as the primary does.
   */
  private long[] replicaKeys(PsWire.Request req, long[] keys, int n, Buffers b) {
    long signature = KeySignature.of(keys, 0, n);
    KeyCache.CachedKeys c = keyCache.get(req.worker, signature, n);
    if (c != null && java.util.Arrays.equals(c.keys, 0, n, keys, 0, n)) {
      b.keyList = c;
      return c.keys;
    }
    b.keyList = keyCache.put(req.worker, signature, java.util.Arrays.copyOf(keys, n), specs.size());
    return b.keyList != null ? b.keyList.keys : keys;
  }

  @Override
  public void push(PsWire.Request req) throws PsError {
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    boolean now = push(req, new PushReply() {
      @Override
      public void finishDeferred() {
        done.complete(null);
      }

      @Override
      public void failDeferred(PsError error) {
        done.completeExceptionally(error);
      }
    });
    if (!now) {
      awaitChain(done);
    }
  }

  private static void awaitChain(java.util.concurrent.CompletableFuture<Void> done) throws PsError {
    try {
      done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Errors.internal("push", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof PsError pe ? pe : Errors.internal("push", e.getCause());
    }
  }

  /**
   * Applies a push unless it is a duplicate (see {@link AppliedIds}), then forwards it down the
   * replication chain; acknowledged now without replicas, else once the chain stored it.
   */
  @Override
  public boolean push(PsWire.Request req, PushReply reply) throws PsError {
    TableShards t = table(req.table);
    if (recovering) {
      throw Errors.recovering("server " + self + " is restoring its ranges from its peers");
    }
    checkLayout(req.layoutVersion);
    int n = req.numKeys;
    long floats = (long) n * t.width();
    if (n < 0 || floats > Integer.MAX_VALUE - 8) {
      throw Errors.badRequest("push " + req.table + ": " + n + " keys of width " + t.width() + " is not a valid count");
    }
    ByteBuffer vals = req.values;
    if (vals.remaining() != floats * 4) {
      throw Errors.badRequest("push " + req.table + ": " + n + " keys of width " + t.width() + " need "
          + floats * 4 + " value bytes, got " + vals.remaining());
    }
    Buffers b = buffers.get();
    long[] keys = keys("push", req, t, b, (int) floats);
    ValueCodec.decode(vals, (int) floats, b.values, 0);
    for (int i = 0; i < floats; i++) {
      if (!Float.isFinite(b.values[i])) {
        throw Errors.badRequest("push " + req.table + ": value of key "
            + Long.toUnsignedString(keys[i / t.width()]) + " is " + b.values[i]);
      }
    }
    int[] runs;
    int numRuns;
    if (b.keyList != null) {
      runs = b.keyList.runs(t, layout.version());
      numRuns = b.keyList.numRuns();
    } else {
      runs = b.runs;
      numRuns = t.runs(keys, n, runs);
    }
    t.checkRole(keys, runs, numRuns, req.replica);
    int fresh = applied.mark(req.worker, req.requestId, req.part, clocks.clockOf(req.worker), runs, numRuns, b.fresh);
    if (fresh == numRuns) {
      // A checkpoint being cut holds back pushes of clocks at or after its cut (their own copies).
      if (!cut.hold(t, req, keys, b.values, n)) {
        apply(t, req, b, keys, runs, numRuns, n, (int) floats);
      }
    } else {
      duplicates.increment();
      if (fresh > 0) {
        applyFresh(t, req, b, keys, runs, numRuns);
      }
    }
    // Forwarded down the chain now, held or not: each replica's own cut holds it back too.
    ReplicaChain c = chain;
    return c == null || c.forward(req, t.width(), keys, b.keyList != null, b.values, runs, numRuns, reply);
  }

  /** Applies (or under sequential consistency holds) a new push of runs computed for its keys. */
  private void apply(TableShards t, PsWire.Request req, Buffers b, long[] keys, int[] runs, int numRuns, int n,
      int floats) {
    if (clocks.ordered()) {
      // Sequential consistency: checked now, applied in order once every worker passed this clock.
      notePushed(runs, numRuns, req);
      long[] own = b.keyList != null ? keys : java.util.Arrays.copyOf(keys, n);
      held.add(t, req.clock, req.worker, req.requestId, own, java.util.Arrays.copyOf(b.values, floats), n);
      return;
    }
    if (b.keyList != null) {
      KeyCache.CachedKeys c = b.keyList;
      t.push(keys, b.values, runs, numRuns, n, c.slots(t.ordinal(), numRuns));
    } else {
      t.push(keys, b.values, runs, numRuns, n);
    }
    notePushed(runs, numRuns, req);
  }

  /** Applies the runs of a partly duplicate push that were not applied before (rare: after a lost server). */
  private void applyFresh(TableShards t, PsWire.Request req, Buffers b, long[] keys, int[] runs, int numRuns)
      throws PsError {
    int w = t.width();
    int count = 0;
    int m = 0;
    for (int k = 0; k < numRuns; k++) {
      if (b.fresh[k]) {
        count += runs[3 * k + 2] - runs[3 * k + 1];
      }
    }
    long[] ks = new long[count];
    float[] vs = new float[count * w];
    int[] rs = new int[3 * numRuns];
    int at = 0;
    for (int k = 0; k < numRuns; k++) {
      if (b.fresh[k]) {
        int from = runs[3 * k + 1];
        int len = runs[3 * k + 2] - from;
        System.arraycopy(keys, from, ks, at, len);
        System.arraycopy(b.values, from * w, vs, at * w, len * w);
        rs[3 * m] = runs[3 * k];
        rs[3 * m + 1] = at;
        rs[3 * m + 2] = at + len;
        m++;
        at += len;
      }
    }
    if (cut.hold(t, req, ks, vs, count)) {
      return;
    }
    if (clocks.ordered()) {
      held.add(t, req.clock, req.worker, req.requestId, ks, vs, count);
    } else {
      t.push(ks, vs, rs, m, count);
    }
    notePushed(rs, m, req);
  }

  /** Applies a push the checkpoint cut held back and now releases. */
  private void applyHeld(CheckpointCut.Held h) {
    int[] runs = new int[3 * Math.max(1, Math.min(h.n(), h.table().numRanges()))];
    int numRuns;
    try {
      numRuns = h.table().runs(h.keys(), h.n(), runs);
    } catch (PsError e) {
      // Checked when the push was held; the ranges do not move while the cut holds it.
      throw new IllegalStateException("held push no longer fits this server: " + e.getMessage(), e);
    }
    h.table().push(h.keys(), h.values(), runs, numRuns, h.n());
    RangeClocks rc = rangeClocks;
    for (int k = 0; k < numRuns; k++) {
      rc.pushed(runs[3 * k], h.worker(), h.clock());
    }
  }

  /** Advances the vector clocks of the ranges a push touched. */
  private void notePushed(int[] runs, int numRuns, PsWire.Request req) {
    RangeClocks rc = rangeClocks;
    for (int k = 0; k < numRuns; k++) {
      rc.pushed(runs[3 * k], req.worker, req.clock);
    }
  }


  @Override
  public void clock(ClockUpdate update) throws PsError {
    try {
      clocks.update(update.getWorker(), update.getClock(), update.isLeaving());
    } catch (IllegalArgumentException e) {
      throw Errors.badRequest("clock update: " + e.getMessage());
    }
  }

  @Override
  public boolean pull(PsWire.Request req, PullReply reply) throws PsError {
    TableShards t = table(req.table);
    if (recovering) {
      throw Errors.notReady("server " + self + " is restoring its ranges from its peers");
    }
    checkLayout(req.layoutVersion);
    int n = req.numKeys;
    long floats = (long) n * t.width();
    if (n < 0 || floats * 4 > Integer.MAX_VALUE - 64) {
      throw Errors.badRequest("pull " + req.table + ": " + n + " keys of width " + t.width() + " is not a valid count");
    }
    Buffers b = buffers.get();
    long[] keys = keys("pull", req, t, b, (int) floats);
    KeyCache.CachedKeys cached = b.keyList;
    if (chain != null) {
      checkPrimary(t, keys, cached, n, b);
    }
    long clock = req.clock;
    boolean cutHolds = cut.holds(clock);
    if (cutHolds || clocks.mustWait(clock)) {
      // Keep what the answer needs: the request's buffers are gone once this call returns.
      long[] own = cached != null ? cached.keys : java.util.Arrays.copyOf(keys, n);
      Runnable later = () -> {
        try {
          answer(t, own, cached, n, (int) floats, reply);
          reply.finishDeferred();
        } catch (PsError e) {
          reply.failDeferred(e);
        } catch (RuntimeException e) {
          LOG.error("deferred pull of {} keys of {} failed", n, t.spec().name(), e);
          reply.failDeferred(Errors.internal("pull", e));
        }
      };
      // A checkpoint holding back pushes this pull may need: it waits for the cut to end, then for
      // its consistency bound as any pull.
      if (cutHolds && cut.parkPull(clock, () -> {
        if (!clocks.park(clock, later)) {
          later.run();
        }
      })) {
        return false;
      }
      if (clocks.park(clock, later)) {
        return false;
      }
      answer(t, own, cached, n, (int) floats, reply);
      return true;
    }
    clocks.admitted(clock);
    answer(t, keys, cached, n, (int) floats, reply);
    return true;
  }

  /** Refuses with WRONG_SERVER a pull of a range this server only replicates. */
  private void checkPrimary(TableShards t, long[] keys, KeyCache.CachedKeys cached, int n, Buffers b) throws PsError {
    if (cached != null) {
      t.checkRole(keys, cached.runs(t, layout.version()), cached.numRuns(), false);
    } else {
      t.checkRole(keys, b.runs, t.runs(keys, n, b.runs), false);
    }
  }

  /** Reads the keys' weights (through the key list's cached slots when it has one) into the reply. */
  private void answer(TableShards t, long[] keys, KeyCache.CachedKeys cached, int n, int floats, PullReply reply)
      throws PsError {
    Buffers b = buffers.get();
    b.ensure(n, floats, Math.min(Math.max(n, 1), layout.numRanges()));
    if (cached != null) {
      int[] runs = cached.runs(t, layout.version());
      int numRuns = cached.numRuns();
      t.pull(keys, b.values, runs, numRuns, n, cached.slots(t.ordinal(), numRuns));
    } else {
      int numRuns = t.runs(keys, n, b.runs);
      t.pull(keys, b.values, b.runs, numRuns, n);
    }
    reply.valueBlock(n, floats * 4).asFloatBuffer().put(b.values, 0, floats);
  }

  @Override
  public Map<String, Long> counters() {
    Map<String, Long> m = new HashMap<>();
    m.put("key_cache_hits", keyCache.hits.sum());
    m.put("key_cache_misses", keyCache.misses.sum());
    m.put("key_cache_inserts", keyCache.inserts.sum());
    m.put("key_cache_evictions", keyCache.evictions.sum());
    m.put("key_cache_entries", (long) keyCache.entries());
    m.put("key_cache_bytes", keyCache.bytes());
    m.put("keys_not_sent", keysNotSent.sum());
    m.put("pulls_deferred", clocks.pullsDeferred.sum());
    m.put("pulls_admitted", clocks.pullsAdmitted.sum());
    m.put("pull_wait_ms", clocks.waitNanos.sum() / 1_000_000);
    m.put("pulls_waiting", (long) clocks.parkedPulls());
    m.put("consistency_bound_violations", clocks.boundViolations.sum());
    m.put("max_clock_lag", clocks.maxLagSeen());
    m.put("clock_min", Math.min(clocks.published(), Long.MAX_VALUE / 2));
    m.put("held_push_keys", held.heldKeys());
    m.put("checkpoint_held_keys", cut.heldKeys());
    m.put("checkpoint_pushes_held", cut.pushesHeld.sum());
    m.put("checkpoint_writing", cut.writing() ? 1L : 0L);
    m.put("checkpoint_pulls_parked", cut.pullsParked.sum());
    for (int w = 0; w < clocks.workers(); w++) {
      m.put("worker_clock_" + w, clocks.clock(w));
    }
    m.put("duplicate_pushes", duplicates.sum());
    m.put("dedup_window_misses", applied.unknown.sum());
    ReplicaChain c = chain;
    if (c != null) {
      m.put("replica_forwards", c.forwards.sum());
      m.put("replica_forward_failures", c.forwardFailures.sum());
      m.put("replica_keys_forwarded", c.keysForwarded.sum());
    }
    RangeClocks rc = rangeClocks;
    m.put("vector_clock_ranges", rc == null ? 0L : rc.touched());
    return m;
  }

  // The generated interface's push and pull, for in-process callers and stock Thrift clients
  // routed through the processor; the server's endpoint decodes these calls itself.

  @Override
  public void push(PushRequest r) throws PsError {
    PsWire.Request req = request(r.getTable(), r.getLayoutVersion(), r.getNumKeys(), r.keys, r.getWorker(),
        r.getClock(), r.getKeySignature(), r.values, r.isSetKeyCodec() || r.isSetValueCodec());
    req.requestId = r.isSetRequestId() ? r.getRequestId() : -1;
    req.part = r.isSetPart() ? r.getPart() : -1;
    req.replica = r.isReplica();
    push(req);
  }

  @Override
  public PullResponse pull(PullRequest r) throws PsError {
    PsWire.Request req = request(r.getTable(), r.getLayoutVersion(), r.getNumKeys(), r.keys, r.getWorker(),
        r.getClock(), r.getKeySignature(), null, r.isSetKeyCodec());
    java.util.concurrent.CompletableFuture<ByteBuffer> done = new java.util.concurrent.CompletableFuture<>();
    ByteBuffer[] out = new ByteBuffer[1];
    PullReply sink = new PullReply() {
      @Override
      public ByteBuffer valueBlock(int numKeys, int bytes) {
        out[0] = ByteBuffer.allocate(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return out[0].duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
      }

      @Override
      public void finishDeferred() {
        done.complete(out[0]);
      }

      @Override
      public void failDeferred(PsError error) {
        done.completeExceptionally(error);
      }
    };
    if (pull(req, sink)) {
      return new PullResponse(r.getNumKeys(), out[0]);
    }
    // A waiting pull from a plain Thrift caller holds its pool thread; the data plane never does.
    try {
      return new PullResponse(r.getNumKeys(), done.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Errors.internal("pull", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof PsError pe ? pe : Errors.internal("pull", e.getCause());
    }
  }

  private static PsWire.Request request(String table, long version, int numKeys, ByteBuffer keys, int worker,
      long clock, long signature, ByteBuffer values, boolean compressed) throws PsError {
    if (compressed) {
      throw Errors.badRequest("compressed blocks are accepted on the data-plane endpoint only");
    }
    PsWire.Request req = new PsWire.Request();
    req.table = table;
    req.layoutVersion = version;
    req.numKeys = numKeys;
    req.keys = keys.duplicate();
    req.values = values == null ? null : values.duplicate();
    req.worker = worker;
    req.clock = clock;
    req.keySignature = signature;
    return req;
  }

  @Override
  public ServerStats stats() throws PsError {
    Map<String, TableShards> t = tables;
    List<TableStats> out = new ArrayList<>();
    if (t != null) {
      for (TableSpec spec : specs) {
        TableShards s = t.get(spec.name());
        out.add(new TableStats(spec.name(), spec.width(), s.size(), s.memoryBytes(), s.pushes.sum(),
            s.pulls.sum(), s.keysPushed.sum(), s.keysPulled.sum()));
      }
    }
    KeyLayout l = layout;
    Map<String, Long> c = transportCounters.get();
    ServerStats st = new ServerStats(self, l == null ? 0 : l.version(), out, c.getOrDefault("wire_bytes_in", 0L),
        c.getOrDefault("wire_bytes_out", 0L));
    st.setCounters(c);
    return st;
  }

  @Override
  public SaveResult save(String table, String dir) throws PsError {
    TableShards t = table(table);
    // Every acknowledged push belongs in a saved model: one held back by a checkpoint being taken
    // (applied when it ends), and one held for its clock to complete.
    try {
      if (!cut.awaitIdle(PsKeys.CHECKPOINT_TIMEOUT_MS.get(conf))) {
        throw Errors.notReady("server " + self + ": a checkpoint is still being taken; save " + table + " again later");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Errors.internal("save " + table, e);
    }
    held.applyBelow(Long.MAX_VALUE);
    Path path = new Path(dir, yarnps.model.ModelFormat.partName(self));
    try {
      FileSystem fs = path.getFileSystem(conf);
      long records;
      long bytes;
      try (OutputStream os = fs.create(path, true)) {
        ModelWriter writer = new ModelWriter(os, table, t.width());
        IOException[] failure = new IOException[1];
        t.forEachRow((key, data, off) -> {
          if (failure[0] == null) {
            try {
              writer.write(key, data, off);
            } catch (IOException e) {
              failure[0] = e;
            }
          }
        });
        if (failure[0] != null) {
          throw failure[0];
        }
        writer.close();
        records = writer.records();
        bytes = writer.bytes();
      }
      LOG.info("server {} saved {} keys of table {} to {} ({} bytes)", self, records, table, path, bytes);
      return new SaveResult(fs.makeQualified(path).toString(), records, bytes);
    } catch (IOException | RuntimeException e) {
      LOG.error("server {} failed to save table {} to {}", self, table, path, e);
      throw Errors.internal("server " + self + " saving " + table + " to " + path, e);
    }
  }

  /** Keys stored per table, for heartbeats. */
  Map<String, Double> gauges() {
    Map<String, Double> g = new HashMap<>();
    Map<String, TableShards> t = tables;
    if (t != null) {
      long keys = 0;
      long mem = 0;
      long pushes = 0;
      long pulls = 0;
      for (TableShards s : t.values()) {
        keys += s.size();
        mem += s.memoryBytes();
        pushes += s.pushes.sum();
        pulls += s.pulls.sum();
      }
      g.put("keys", (double) keys);
      g.put("memory_bytes", (double) mem);
      g.put("pushes", (double) pushes);
      g.put("pulls", (double) pulls);
    }
    Map<String, Long> c = transportCounters.get();
    c.forEach((k, v) -> g.put(k, v.doubleValue()));
    g.put("bytes_in", (double) c.getOrDefault("wire_bytes_in", 0L));
    g.put("bytes_out", (double) c.getOrDefault("wire_bytes_out", 0L));
    return g;
  }

  // Recovery and checkpoint control calls: implemented by issue 5's server work.

  /**
   * Installs the layout a starting server fetched from the AM, unless the AM already gave it a
   * layout at least as new (installLayout or restore raced ahead of the poll): then nothing changes.
   * Returns whether it installed.
   */
  public synchronized boolean installAtStart(yarnps.thrift.Layout layout) throws PsError {
    if (layoutVersion() >= layout.getVersion()) {
      return false;
    }
    installLayout(layout);
    return true;
  }

  @Override
  public synchronized void installLayout(yarnps.thrift.Layout layout) throws PsError {
    KeyLayout next = layoutOf("installLayout", layout);
    KeyLayout current = this.layout;
    if (current == null || tables == null) {
      install(layout);
      LOG.info("server {} installed layout version {}", self, next.version());
      return;
    }
    if (next.version() < current.version()) {
      throw Errors.badRequest("installLayout: server " + self + " has layout version " + current.version()
          + ", refusing the older version " + next.version());
    }
    List<String> moved = movedRanges(current, next);
    if (!moved.isEmpty()) {
      throw Errors.badRequest("installLayout: layout version " + next.version() + " changes the ranges of server "
          + self + " (version " + current.version() + "): " + String.join("; ", moved)
          + "; a server keeps its ranges across layouts (restore re-splits them)");
    }
    // Same ranges, same owners: the shards stay; only the version (and addresses) change.
    ReplicaChain c = chain;
    if (c != null) {
      c.install(c.replicas(), layout.getServers());
    }
    this.layout = next;
    LOG.info("server {} installed layout version {} (was {}), data kept", self, next.version(), current.version());
  }

  private static KeyLayout layoutOf(String call, yarnps.thrift.Layout layout) throws PsError {
    if (layout == null) {
      throw Errors.badRequest(call + ": no layout");
    }
    try {
      return KeyLayout.fromThrift(layout);
    } catch (IllegalArgumentException e) {
      throw Errors.badRequest(call + ": invalid layout: " + e.getMessage());
    }
  }

  /** The ranges whose bounds or owner differ between the two layouts, at most 8 of them, or none. */
  private static List<String> movedRanges(KeyLayout a, KeyLayout b) {
    List<String> out = new ArrayList<>();
    if (a.numRanges() != b.numRanges()) {
      out.add(a.numRanges() + " ranges become " + b.numRanges());
      return out;
    }
    for (int r = 0; r < a.numRanges() && out.size() < 8; r++) {
      if (a.rangeStart(r) != b.rangeStart(r) || a.rangeLimit(r) != b.rangeLimit(r) || a.owner(r) != b.owner(r)) {
        out.add("range " + r + " [" + Long.toUnsignedString(a.rangeStart(r)) + ", "
            + (a.rangeLimit(r) == 0 ? "2^64" : Long.toUnsignedString(a.rangeLimit(r))) + ") of server " + a.owner(r)
            + " becomes [" + Long.toUnsignedString(b.rangeStart(r)) + ", "
            + (b.rangeLimit(r) == 0 ? "2^64" : Long.toUnsignedString(b.rangeLimit(r))) + ") of server " + b.owner(r));
      }
    }
    return out;
  }

  @Override
  public long checkpointPrepare(long id) throws PsError {
    if (tables == null) {
      throw Errors.notReady("server " + self + " has no layout yet");
    }
    return cut.prepare(id);
  }

  @Override
  public List<yarnps.thrift.ShardInfo> checkpoint(long id, long clock, String dir) throws PsError {
    if (dir == null || dir.isEmpty()) {
      throw Errors.badRequest("checkpoint " + id + ": no directory");
    }
    Map<String, TableShards> t = tables;
    if (t == null) {
      throw Errors.notReady("server " + self + " has no layout yet");
    }
    cut.begin(id, clock);
    try {
      cut.awaitClock(id, clock);
      long start = System.nanoTime();
      List<TableShards> ordered = new ArrayList<>();
      for (TableSpec spec : specs) {
        ordered.add(t.get(spec.name()));
      }
      List<yarnps.thrift.ShardInfo> shards = CheckpointShards.write(self, conf, ordered, clock, dir, cut::cancelled);
      if (cut.cancelled()) {
        throw Errors.badRequest("server " + self + ": checkpoint " + id + " was aborted");
      }
      long rows = shards.stream().mapToLong(yarnps.thrift.ShardInfo::getRows).sum();
      LOG.info("server {}: checkpoint {} at clock {}: {} shards, {} rows written to {} in {} ms", self, id, clock,
          shards.size(), rows, dir, (System.nanoTime() - start) / 1_000_000);
      return shards;
    } catch (IOException | RuntimeException e) {
      LOG.error("server {}: checkpoint {} at clock {} to {} failed", self, id, clock, dir, e);
      throw Errors.internal("server " + self + " checkpoint " + id + " at clock " + clock, e);
    } finally {
      cut.release(id);
    }
  }

  @Override
  public void checkpointAbort(long id) throws PsError {
    cut.abort(id);
  }

  @Override
  public synchronized long restore(String dir, yarnps.thrift.Layout layout) throws PsError {
    KeyLayout next = layoutOf("restore", layout);
    long clock = 0;
    long rows = 0;
    long start = System.nanoTime();
    List<TableShards> fresh = new ArrayList<>();
    Replicas replicas;
    try {
      replicas = new Replicas(next, PsKeys.REPLICATION.get(conf));
    } catch (IllegalArgumentException e) {
      throw Errors.badRequest("restore: " + e.getMessage());
    }
    for (int i = 0; i < specs.size(); i++) {
      // Owned and replicated ranges alike: a replica restored from the checkpoint matches its primary.
      fresh.add(new TableShards(specs.get(i), replicas, self, i));
    }
    if (dir != null && !dir.isEmpty()) {
      Path path = new Path(dir);
      try {
        FileSystem fs = path.getFileSystem(conf);
        yarnps.checkpoint.Checkpoint ckpt = new yarnps.checkpoint.CheckpointReader(fs).open(path);
        checkTables(ckpt.manifest(), dir);
        clock = ckpt.clock();
        rows = CheckpointShards.load(self, fs, path, fresh);
      } catch (yarnps.checkpoint.CorruptCheckpointException e) {
        LOG.error("server {} refuses to restore {}: {}", self, dir, e.getMessage());
        throw Errors.badRequest("server " + self + " refuses checkpoint " + dir + ": " + e.getMessage());
      } catch (java.io.FileNotFoundException e) {
        throw Errors.badRequest("server " + self + ": " + dir + " is not a checkpoint (no "
            + yarnps.checkpoint.CheckpointFormat.MANIFEST + "): " + e.getMessage());
      } catch (IOException | RuntimeException e) {
        LOG.error("server {} failed to restore {}", self, dir, e);
        throw Errors.internal("server " + self + " restoring " + dir, e);
      }
    }
    Map<String, TableShards> t = new HashMap<>();
    fresh.forEach(s -> t.put(s.spec().name(), s));
    // Layout first: a request that still sees the old tables is refused by its version or lands in them.
    this.rangeClocks = new RangeClocks(next.numRanges(), PsKeys.WORKERS.get(conf));
    this.layout = next;
    this.tables = t;
    cut.reset(clock);
    held.clear();
    keyCache.clear();
    applied.clear();
    clocks.reset(clock);
    ReplicaChain c = chain;
    if (c != null) {
      c.install(replicas, layout.getServers());
    }
    // A replacement restored from the checkpoint (a rollback) serves now, like its peers.
    recovering = false;
    LOG.info("server {} restored {} rows at clock {} from {} under layout version {} in {} ms", self, rows, clock,
        dir == null || dir.isEmpty() ? "nothing (empty tables)" : dir, next.version(),
        (System.nanoTime() - start) / 1_000_000);
    return rows;
  }

  /** Refuses a checkpoint whose tables do not have this job's shape (width, stride, updater). */
  private void checkTables(yarnps.checkpoint.CheckpointManifest m, String dir) throws PsError {
    for (TableSpec spec : specs) {
      yarnps.checkpoint.CheckpointManifest.TableEntry want = yarnps.checkpoint.CheckpointManifest.TableEntry.of(spec);
      yarnps.checkpoint.CheckpointManifest.TableEntry have = m.tables().stream()
          .filter(e -> e.name().equals(spec.name())).findFirst().orElse(null);
      if (have == null) {
        throw Errors.badRequest("checkpoint " + dir + " has no table '" + spec.name() + "' (it has "
            + m.tables().stream().map(yarnps.checkpoint.CheckpointManifest.TableEntry::name).toList() + ")");
      }
      if (have.width() != want.width() || have.stride() != want.stride() || !have.updater().equals(want.updater())) {
        throw Errors.badRequest("checkpoint " + dir + ": table '" + spec.name() + "' has width " + have.width()
            + ", stride " + have.stride() + " and updater " + have.updater() + "; this job's has width "
            + want.width() + ", stride " + want.stride() + " and updater " + want.updater());
      }
    }
  }

  @Override
  public long recoverFromPeers() throws PsError {
    Map<String, TableShards> t = tables;
    ReplicaChain c = chain;
    if (t == null) {
      throw Errors.notReady("server " + self + " has no layout yet");
    }
    if (c == null) {
      throw Errors.badRequest("recoverFromPeers needs yarnps.replication >= 1 (it is "
          + PsKeys.REPLICATION.get(conf) + ")");
    }
    long start = System.nanoTime();
    try {
      long rows = PeerRecovery.recover(self, t, c.replicas(), c.addresses(), clocks, applied,
          PsKeys.RPC_MAX_FRAME.get(conf), PsKeys.RPC_TIMEOUT_MS.get(conf));
      recovering = false;
      LOG.info("server {} restored {} rows from its peers in {} ms", self, rows, (System.nanoTime() - start) / 1_000_000);
      return rows;
    } catch (IOException | RuntimeException e) {
      LOG.error("server {} failed to restore from its peers", self, e);
      throw Errors.internal("server " + self + " restoring from peers", e);
    }
  }

  @Override
  public yarnps.thrift.RangeChunk fetchRange(String table, int range, long afterKey, boolean first, int maxRows)
      throws PsError {
    TableShards t = table(table);
    if (first && clocks.ordered()) {
      // Sequential consistency: the copy must include every acknowledged push, also those held for their clock.
      held.applyBelow(Long.MAX_VALUE);
    }
    return PeerRecovery.fetch(t, self, range, afterKey, first, maxRows);
  }

  @Override
  public yarnps.thrift.PeerState peerState() throws PsError {
    return PeerRecovery.state(clocks, applied);
  }
}
