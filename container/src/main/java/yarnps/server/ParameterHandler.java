package yarnps.server;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.common.KeyCodec;
import yarnps.common.KeyLayout;
import yarnps.common.ValueCodec;
import yarnps.common.KeySignature;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.rpc.PsWire;
import yarnps.rpc.Errors;
import yarnps.thrift.ClockUpdate;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PsError;
import yarnps.thrift.PullRequest;
import yarnps.thrift.PullResponse;
import yarnps.thrift.PushRequest;
import yarnps.thrift.SaveResult;
import yarnps.thrift.ServerStats;

/**
 * The parameters of one server: its tables' shards, the data plane's push and pull (keys resolved
 * through the {@link KeyCache} or decoded into per-thread buffers, values applied through the
 * table's updater), and the generated interface's control calls. A malformed request is refused
 * with BAD_REQUEST and changes nothing; the connection and the server go on.
 *
 * <p>The control calls are implemented by {@link LayoutControl} (layout installs, restore, recovery
 * from peers) and {@link ExportControl} (checkpoints, save, a range for a peer, stats and counters),
 * which share the shard set and the server's parts with the data plane through one
 * {@link HandlerState}; the generated interface's blocking push and pull by {@link BlockingDataCalls}.
 * installAtStart, installLayout and restore are synchronized on this handler, so they exclude each
 * other; push, pull and the other control calls take no lock here.
 */
public final class ParameterHandler implements ParameterService.Iface, DataPlane, ParameterEndpoint.WidthSource {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterHandler.class);

  private final HandlerState state;
  private final LayoutControl layouts;
  private final ExportControl exports;
  // The data plane's own references to the shared parts, read per request without going through state.
  private final int self;
  private final List<TableSpec> specs;
  private final KeyCache keyCache;
  private final PushBuffer held;
  private final ClockGroup clocks;
  private final CheckpointCut cut;
  private final AppliedIds applied;
  private final LongAdder keysNotSent;
  private final LongAdder duplicates;
  private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);
  /** Whether replicas resolve forwarded key lists through the key cache (yarnps.rpc.key.cache). */
  private final boolean replicaKeyCache;

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
    this.state = new HandlerState(self, conf, specs, this::applyHeld, this::counters);
    this.layouts = new LayoutControl(state);
    this.exports = new ExportControl(state);
    this.self = self;
    this.specs = specs;
    this.keyCache = state.keyCache;
    this.held = state.held;
    this.clocks = state.clocks;
    this.cut = state.cut;
    this.applied = state.applied;
    this.keysNotSent = state.keysNotSent;
    this.duplicates = state.duplicates;
    if (PsKeys.SERVER_THREADS.get(conf) < 2) {
      LOG.warn("{} = 1: a checkpoint waiting for the workers' clocks holds the only thread that handles their"
          + " clock updates, so every checkpoint will time out", PsKeys.SERVER_THREADS.name());
    }
    this.replicaKeyCache = PsKeys.KEY_CACHE.get(conf);
  }

  /** Makes stats and heartbeats report these counters (the endpoint's, which include this handler's). */
  public void reportCounters(java.util.function.Supplier<Map<String, Long>> counters) {
    state.transportCounters = counters;
  }

  /**
   * Creates the shards of the ranges this server holds in {@code layout} (owned, and replicated
   * under {@code yarnps.replication}); until then calls are NOT_READY. Without the peers' addresses
   * (see {@link #install(yarnps.thrift.Layout)}) a replicated push cannot be forwarded.
   *
   * @throws IllegalArgumentException if yarnps.replication is not below the number of servers
   */
  public void install(KeyLayout layout) {
    layouts.install(layout);
  }

  /** The version of the installed layout; 0 before the first. */
  public long layoutVersion() {
    return state.layoutVersion();
  }

  /** As {@link #install(KeyLayout)}, with the servers' addresses for chain replication. */
  public void install(yarnps.thrift.Layout layout) {
    layouts.install(layout);
  }

  /**
   * A replacement server: until {@link #recoverFromPeers} ends, pushes are refused with RECOVERING
   * and pulls with NOT_READY.
   */
  public void markRecovering() {
    layouts.markRecovering();
  }

  /** Stops the replication client. */
  public void close() {
    ReplicaChain c = state.chain;
    if (c != null) {
      c.close();
    }
  }

  private void checkLayout(HandlerState s, long version) throws PsError {
    if (version != s.layout.version()) {
      throw Errors.staleLayout("request has layout version " + version + ", server " + self + " has "
          + s.layout.version());
    }
  }

  @Override
  public int width(String table) {
    Map<String, TableShards> t = state.tables;
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
  private long[] keys(HandlerState s, String op, PsWire.Request req, TableShards t, Buffers b, int floats)
      throws PsError {
    b.keyList = null;
    int n = req.numKeys;
    if (n < 0 || n > req.keys.remaining() && !(req.keySignature != 0 && !req.keys.hasRemaining())) {
      throw Errors.badRequest(op + " " + req.table + ": key count " + n + " does not fit a key block of "
          + req.keys.remaining() + " bytes (each key takes at least one byte)");
    }
    b.ensure(n, floats, Math.min(Math.max(n, 1), s.layout.numRanges()));
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
    BlockingDataCalls.push(this, req);
  }

  /**
   * Applies a push unless it is a duplicate (see {@link AppliedIds}), then forwards it down the
   * replication chain; acknowledged now without replicas, else once the chain stored it.
   */
  @Override
  public boolean push(PsWire.Request req, PushReply reply) throws PsError {
    HandlerState s = state;
    TableShards t = s.table(req.table);
    if (s.recovering) {
      throw Errors.recovering("server " + self + " is restoring its ranges from its peers");
    }
    checkLayout(s, req.layoutVersion);
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
    long[] keys = keys(s, "push", req, t, b, (int) floats);
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
      runs = b.keyList.runs(t, s.layout.version());
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
        apply(s, t, req, b, keys, runs, numRuns, n, (int) floats);
      }
    } else {
      duplicates.increment();
      if (fresh > 0) {
        applyFresh(s, t, req, b, keys, runs, numRuns);
      }
    }
    // Forwarded down the chain now, held or not: each replica's own cut holds it back too.
    ReplicaChain c = s.chain;
    return c == null || c.forward(req, t.width(), keys, b.keyList != null, b.values, runs, numRuns, reply);
  }

  /** Applies (or under sequential consistency holds) a new push of runs computed for its keys. */
  private void apply(HandlerState s, TableShards t, PsWire.Request req, Buffers b, long[] keys, int[] runs,
      int numRuns, int n, int floats) {
    if (clocks.ordered()) {
      // Sequential consistency: checked now, applied in order once every worker passed this clock.
      notePushed(s, runs, numRuns, req);
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
    notePushed(s, runs, numRuns, req);
  }

  /** Applies the runs of a partly duplicate push that were not applied before (rare: after a lost server). */
  private void applyFresh(HandlerState s, TableShards t, PsWire.Request req, Buffers b, long[] keys, int[] runs,
      int numRuns) throws PsError {
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
    notePushed(s, rs, m, req);
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
    RangeClocks rc = state.rangeClocks;
    for (int k = 0; k < numRuns; k++) {
      rc.pushed(runs[3 * k], h.worker(), h.clock());
    }
  }

  /** Advances the vector clocks of the ranges a push touched. */
  private static void notePushed(HandlerState s, int[] runs, int numRuns, PsWire.Request req) {
    RangeClocks rc = s.rangeClocks;
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
    HandlerState s = state;
    TableShards t = s.table(req.table);
    if (s.recovering) {
      throw Errors.notReady("server " + self + " is restoring its ranges from its peers");
    }
    checkLayout(s, req.layoutVersion);
    int n = req.numKeys;
    long floats = (long) n * t.width();
    if (n < 0 || floats * 4 > Integer.MAX_VALUE - 64) {
      throw Errors.badRequest("pull " + req.table + ": " + n + " keys of width " + t.width() + " is not a valid count");
    }
    Buffers b = buffers.get();
    long[] keys = keys(s, "pull", req, t, b, (int) floats);
    KeyCache.CachedKeys cached = b.keyList;
    if (s.chain != null) {
      checkPrimary(s, t, keys, cached, n, b);
    }
    long clock = req.clock;
    boolean cutHolds = cut.holds(clock);
    if (cutHolds || clocks.mustWait(clock)) {
      // Keep what the answer needs: the request's buffers are gone once this call returns.
      long[] own = cached != null ? cached.keys : java.util.Arrays.copyOf(keys, n);
      Runnable later = () -> {
        try {
          answer(s, t, own, cached, n, (int) floats, reply);
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
      answer(s, t, own, cached, n, (int) floats, reply);
      return true;
    }
    clocks.admitted(clock);
    answer(s, t, keys, cached, n, (int) floats, reply);
    return true;
  }

  /** Refuses with WRONG_SERVER a pull of a range this server only replicates. */
  private static void checkPrimary(HandlerState s, TableShards t, long[] keys, KeyCache.CachedKeys cached, int n,
      Buffers b) throws PsError {
    if (cached != null) {
      t.checkRole(keys, cached.runs(t, s.layout.version()), cached.numRuns(), false);
    } else {
      t.checkRole(keys, b.runs, t.runs(keys, n, b.runs), false);
    }
  }

  /** Reads the keys' weights (through the key list's cached slots when it has one) into the reply. */
  private void answer(HandlerState s, TableShards t, long[] keys, KeyCache.CachedKeys cached, int n, int floats,
      PullReply reply) throws PsError {
    Buffers b = buffers.get();
    b.ensure(n, floats, Math.min(Math.max(n, 1), s.layout.numRanges()));
    if (cached != null) {
      int[] runs = cached.runs(t, s.layout.version());
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
    return exports.counters();
  }

  @Override
  public void push(PushRequest r) throws PsError {
    BlockingDataCalls.push(this, r);
  }

  @Override
  public PullResponse pull(PullRequest r) throws PsError {
    return BlockingDataCalls.pull(this, r);
  }

  // The control calls (see the class doc for their locking).

  /**
   * Installs the layout a starting server fetched from the AM, unless the AM already gave it a
   * layout at least as new (installLayout or restore raced ahead of the poll): then nothing changes.
   * Returns whether it installed.
   */
  public synchronized boolean installAtStart(yarnps.thrift.Layout layout) throws PsError {
    return layouts.installAtStart(layout);
  }

  @Override
  public synchronized void installLayout(yarnps.thrift.Layout layout) throws PsError {
    layouts.installLayout(layout);
  }

  @Override
  public synchronized long restore(String dir, yarnps.thrift.Layout layout) throws PsError {
    return layouts.restore(dir, layout);
  }

  @Override
  public long recoverFromPeers() throws PsError {
    return layouts.recoverFromPeers();
  }

  @Override
  public long checkpointPrepare(long id) throws PsError {
    return exports.checkpointPrepare(id);
  }

  @Override
  public List<yarnps.thrift.ShardInfo> checkpoint(long id, long clock, String dir) throws PsError {
    return exports.checkpoint(id, clock, dir);
  }

  @Override
  public void checkpointAbort(long id) throws PsError {
    exports.checkpointAbort(id);
  }

  @Override
  public SaveResult save(String table, String dir) throws PsError {
    return exports.save(table, dir);
  }

  @Override
  public yarnps.thrift.RangeChunk fetchRange(String table, int range, long afterKey, boolean first, int maxRows)
      throws PsError {
    return exports.fetchRange(table, range, afterKey, first, maxRows);
  }

  @Override
  public yarnps.thrift.PeerState peerState() throws PsError {
    return exports.peerState();
  }

  @Override
  public ServerStats stats() throws PsError {
    return exports.stats();
  }

  /** Keys stored per table, for heartbeats. */
  Map<String, Double> gauges() {
    return exports.gauges();
  }
}
