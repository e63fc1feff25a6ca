package yarnps.server;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.common.KeyLayout;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.model.ModelWriter;
import yarnps.rpc.Errors;
import yarnps.thrift.PsError;
import yarnps.thrift.SaveResult;
import yarnps.thrift.ServerStats;
import yarnps.thrift.TableStats;

/**
 * The control calls that copy or describe a server's tables without changing which shards it
 * holds: the checkpoint cut and its shard files, a saved model, a range copied to a recovering
 * peer with this server's clocks, and the statistics and counters of stats and heartbeats. It
 * reads the shard set from {@link HandlerState} once per call, so an install or restore running
 * meanwhile leaves the call on the set it started with.
 */
final class ExportControl {
  // The handler's logger: these lines keep the category they had before the control calls moved here.
  private static final Logger LOG = LoggerFactory.getLogger(ParameterHandler.class);

  private final HandlerState s;

  ExportControl(HandlerState state) {
    this.s = state;
  }

  long checkpointPrepare(long id) throws PsError {
    if (s.tables == null) {
      throw Errors.notReady("server " + s.self + " has no layout yet");
    }
    return s.cut.prepare(id);
  }

  List<yarnps.thrift.ShardInfo> checkpoint(long id, long clock, String dir) throws PsError {
    if (dir == null || dir.isEmpty()) {
      throw Errors.badRequest("checkpoint " + id + ": no directory");
    }
    Map<String, TableShards> t = s.tables;
    if (t == null) {
      throw Errors.notReady("server " + s.self + " has no layout yet");
    }
    CheckpointCut cut = s.cut;
    cut.begin(id, clock);
    try {
      cut.awaitClock(id, clock);
      long start = System.nanoTime();
      List<TableShards> ordered = new ArrayList<>();
      for (TableSpec spec : s.specs) {
        ordered.add(t.get(spec.name()));
      }
      List<yarnps.thrift.ShardInfo> shards = CheckpointShards.write(s.self, s.conf, ordered, clock, dir,
          cut::cancelled);
      if (cut.cancelled()) {
        throw Errors.badRequest("server " + s.self + ": checkpoint " + id + " was aborted");
      }
      long rows = shards.stream().mapToLong(yarnps.thrift.ShardInfo::getRows).sum();
      LOG.info("server {}: checkpoint {} at clock {}: {} shards, {} rows written to {} in {} ms", s.self, id, clock,
          shards.size(), rows, dir, (System.nanoTime() - start) / 1_000_000);
      return shards;
    } catch (IOException | RuntimeException e) {
      LOG.error("server {}: checkpoint {} at clock {} to {} failed", s.self, id, clock, dir, e);
      throw Errors.internal("server " + s.self + " checkpoint " + id + " at clock " + clock, e);
    } finally {
      cut.release(id);
    }
  }

  void checkpointAbort(long id) throws PsError {
    s.cut.abort(id);
  }

  SaveResult save(String table, String dir) throws PsError {
    TableShards t = s.table(table);
    // Every acknowledged push belongs in a saved model: one held back by a checkpoint being taken
    // (applied when it ends), and one held for its clock to complete.
    try {
      if (!s.cut.awaitIdle(PsKeys.CHECKPOINT_TIMEOUT_MS.get(s.conf))) {
        throw Errors.notReady("server " + s.self + ": a checkpoint is still being taken; save " + table
            + " again later");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Errors.internal("save " + table, e);
    }
    s.held.applyBelow(Long.MAX_VALUE);
    Path path = new Path(dir, yarnps.model.ModelFormat.partName(s.self));
    try {
      FileSystem fs = path.getFileSystem(s.conf);
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
      LOG.info("server {} saved {} keys of table {} to {} ({} bytes)", s.self, records, table, path, bytes);
      return new SaveResult(fs.makeQualified(path).toString(), records, bytes);
    } catch (IOException | RuntimeException e) {
      LOG.error("server {} failed to save table {} to {}", s.self, table, path, e);
      throw Errors.internal("server " + s.self + " saving " + table + " to " + path, e);
    }
  }

  yarnps.thrift.RangeChunk fetchRange(String table, int range, long afterKey, boolean first, int maxRows)
      throws PsError {
    TableShards t = s.table(table);
    if (first && s.clocks.ordered()) {
      // Sequential consistency: the copy must include every acknowledged push, also those held for their clock.
      s.held.applyBelow(Long.MAX_VALUE);
    }
    return PeerRecovery.fetch(t, s.self, range, afterKey, first, maxRows);
  }

  yarnps.thrift.PeerState peerState() throws PsError {
    return PeerRecovery.state(s.clocks, s.applied);
  }

  ServerStats stats() throws PsError {
    Map<String, TableShards> t = s.tables;
    List<TableStats> out = new ArrayList<>();
    if (t != null) {
      for (TableSpec spec : s.specs) {
        TableShards shards = t.get(spec.name());
        out.add(new TableStats(spec.name(), spec.width(), shards.size(), shards.memoryBytes(), shards.pushes.sum(),
            shards.pulls.sum(), shards.keysPushed.sum(), shards.keysPulled.sum()));
      }
    }
    KeyLayout l = s.layout;
    Map<String, Long> c = s.transportCounters.get();
    ServerStats st = new ServerStats(s.self, l == null ? 0 : l.version(), out, c.getOrDefault("wire_bytes_in", 0L),
        c.getOrDefault("wire_bytes_out", 0L));
    st.setCounters(c);
    return st;
  }

  /** The data plane's counters (see {@link DataPlane#counters}); the endpoint adds its own. */
  Map<String, Long> counters() {
    Map<String, Long> m = new HashMap<>();
    m.put("key_cache_hits", s.keyCache.hits.sum());
    m.put("key_cache_misses", s.keyCache.misses.sum());
    m.put("key_cache_inserts", s.keyCache.inserts.sum());
    m.put("key_cache_evictions", s.keyCache.evictions.sum());
    m.put("key_cache_entries", (long) s.keyCache.entries());
    m.put("key_cache_bytes", s.keyCache.bytes());
    m.put("keys_not_sent", s.keysNotSent.sum());
    m.put("pulls_deferred", s.clocks.pullsDeferred.sum());
    m.put("pulls_admitted", s.clocks.pullsAdmitted.sum());
    m.put("pull_wait_ms", s.clocks.waitNanos.sum() / 1_000_000);
    m.put("pulls_waiting", (long) s.clocks.parkedPulls());
    m.put("consistency_bound_violations", s.clocks.boundViolations.sum());
    m.put("max_clock_lag", s.clocks.maxLagSeen());
    m.put("clock_min", Math.min(s.clocks.published(), Long.MAX_VALUE / 2));
    m.put("held_push_keys", s.held.heldKeys());
    m.put("checkpoint_held_keys", s.cut.heldKeys());
    m.put("checkpoint_pushes_held", s.cut.pushesHeld.sum());
    m.put("checkpoint_writing", s.cut.writing() ? 1L : 0L);
    m.put("checkpoint_pulls_parked", s.cut.pullsParked.sum());
    for (int w = 0; w < s.clocks.workers(); w++) {
      m.put("worker_clock_" + w, s.clocks.clock(w));
    }
    m.put("duplicate_pushes", s.duplicates.sum());
    m.put("dedup_window_misses", s.applied.unknown.sum());
    ReplicaChain c = s.chain;
    if (c != null) {
      m.put("replica_forwards", c.forwards.sum());
      m.put("replica_forward_failures", c.forwardFailures.sum());
      m.put("replica_keys_forwarded", c.keysForwarded.sum());
    }
    RangeClocks rc = s.rangeClocks;
    m.put("vector_clock_ranges", rc == null ? 0L : rc.touched());
    return m;
  }

  /** Keys stored per table, for heartbeats. */
  Map<String, Double> gauges() {
    Map<String, Double> g = new HashMap<>();
    Map<String, TableShards> t = s.tables;
    if (t != null) {
      long keys = 0;
      long mem = 0;
      long pushes = 0;
      long pulls = 0;
      for (TableShards shards : t.values()) {
        keys += shards.size();
        mem += shards.memoryBytes();
        pushes += shards.pushes.sum();
        pulls += shards.pulls.sum();
      }
      g.put("keys", (double) keys);
      g.put("memory_bytes", (double) mem);
      g.put("pushes", (double) pushes);
      g.put("pulls", (double) pulls);
    }
    Map<String, Long> c = s.transportCounters.get();
    c.forEach((k, v) -> g.put(k, v.doubleValue()));
    g.put("bytes_in", (double) c.getOrDefault("wire_bytes_in", 0L));
    g.put("bytes_out", (double) c.getOrDefault("wire_bytes_out", 0L));
    return g;
  }
}
