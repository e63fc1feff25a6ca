package yarnps.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import yarnps.common.KeyLayout;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.rpc.Errors;
import yarnps.thrift.PsError;

/**
 * What one server's {@link ParameterHandler} (the data plane) shares with its control calls
 * ({@link LayoutControl}, {@link ExportControl}): the parts built once with the handler, and the
 * shard set with its layout, which installs and restores replace.
 *
 * <p>The volatile fields are written by the control calls (installLayout, installAtStart and
 * restore under the handler's monitor, recoverFromPeers and markRecovering without it) and read
 * without a lock by the data plane, which sees either the old or the new value of each; a restore
 * writes the layout before the tables, so a request that still sees the old tables is refused by
 * its layout version or lands in them.
 */
final class HandlerState {
  final int self;
  final Configuration conf;
  final List<TableSpec> specs;
  final KeyCache keyCache;
  /** Pushes held for their clock (sequential consistency). */
  final PushBuffer held = new PushBuffer();
  final ClockGroup clocks;
  final CheckpointCut cut;
  final AppliedIds applied;
  /** Keys of pushes and pulls that named a cached key list instead of sending it. */
  final LongAdder keysNotSent = new LongAdder();
  final LongAdder duplicates = new LongAdder();

  /** The shards by table name; null until the first layout. */
  volatile Map<String, TableShards> tables;
  volatile KeyLayout layout;
  volatile RangeClocks rangeClocks;
  /** Chain replication (yarnps.replication > 0), else null. */
  volatile ReplicaChain chain;
  /** A replacement server between its start and the end of recoverFromPeers: pushes answer RECOVERING. */
  volatile boolean recovering;
  /** Transport counters to report with stats; set by the server once its endpoint exists. */
  volatile Supplier<Map<String, Long>> transportCounters;

  /**
   * Builds the server's parts from conf; released checkpoint holds go to applyHeld, and stats report
   * transportCounters until {@link ParameterHandler#reportCounters} replaces them.
   */
  HandlerState(int self, Configuration conf, List<TableSpec> specs, CheckpointCut.Sink applyHeld,
      Supplier<Map<String, Long>> transportCounters) {
    this.self = self;
    this.conf = conf;
    this.specs = specs;
    this.keyCache = new KeyCache(PsKeys.KEY_CACHE_BYTES.get(conf));
    this.clocks = new ClockGroup(PsKeys.CONSISTENCY.get(conf), PsKeys.CONSISTENCY_TAU.get(conf),
        PsKeys.WORKERS.get(conf), held);
    this.cut = new CheckpointCut(self, clocks, applyHeld, PsKeys.CHECKPOINT_TIMEOUT_MS.get(conf));
    this.applied = new AppliedIds(PsKeys.WORKERS.get(conf));
    this.transportCounters = transportCounters;
  }

  /** The shards of the named table: NOT_READY before the first layout, BAD_REQUEST for an unknown name. */
  TableShards table(String name) throws PsError {
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

  /** The version of the installed layout; 0 before the first. */
  long layoutVersion() {
    KeyLayout l = layout;
    return l == null ? 0 : l.version();
  }
}
