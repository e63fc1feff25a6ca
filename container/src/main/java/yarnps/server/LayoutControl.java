package yarnps.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.common.KeyLayout;
import yarnps.common.Replicas;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.rpc.Errors;
import yarnps.thrift.PsError;

/**
 * The control calls that decide which shards a server holds and fill them: layout installs, the
 * restore from a checkpoint (a new shard set, possibly re-split) and the recovery of a replacement
 * from its peers. The data plane reads what they publish in {@link HandlerState}.
 *
 * <p>No lock of its own: {@link ParameterHandler} calls {@link #installAtStart}, {@link #installLayout}
 * and {@link #restore} under its monitor, so those three exclude each other.
 */
final class LayoutControl {
  // The handler's logger: these lines keep the category they had before the control calls moved here.
  private static final Logger LOG = LoggerFactory.getLogger(ParameterHandler.class);

  private final HandlerState s;

  LayoutControl(HandlerState state) {
    this.s = state;
  }

  void install(KeyLayout layout) {
    Replicas replicas = new Replicas(layout, PsKeys.REPLICATION.get(s.conf));
    Map<String, TableShards> t = new HashMap<>();
    for (int i = 0; i < s.specs.size(); i++) {
      t.put(s.specs.get(i).name(), new TableShards(s.specs.get(i), replicas, s.self, i));
    }
    if (replicas.copies() > 0 && s.chain == null) {
      try {
        s.chain = new ReplicaChain(s.self, layout.numServers(), PsKeys.RPC_MAX_FRAME.get(s.conf),
            PsKeys.RPC_TIMEOUT_MS.get(s.conf));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("server " + s.self + " cannot start its replication client", e);
      }
    }
    if (s.chain != null) {
      s.chain.install(replicas, List.of());
    }
    s.rangeClocks = new RangeClocks(layout.numRanges(), PsKeys.WORKERS.get(s.conf));
    s.layout = layout;
    s.tables = t;
  }

  void install(yarnps.thrift.Layout layout) {
    install(KeyLayout.fromThrift(layout));
    if (s.chain != null) {
      s.chain.install(s.chain.replicas(), layout.getServers());
    }
  }

  boolean installAtStart(yarnps.thrift.Layout layout) throws PsError {
    if (s.layoutVersion() >= layout.getVersion()) {
      return false;
    }
    installLayout(layout);
    return true;
  }

  void installLayout(yarnps.thrift.Layout layout) throws PsError {
    KeyLayout next = layoutOf("installLayout", layout);
    KeyLayout current = s.layout;
    if (current == null || s.tables == null) {
      install(layout);
      LOG.info("server {} installed layout version {}", s.self, next.version());
      return;
    }
    if (next.version() < current.version()) {
      throw Errors.badRequest("installLayout: server " + s.self + " has layout version " + current.version()
          + ", refusing the older version " + next.version());
    }
    List<String> moved = movedRanges(current, next);
    if (!moved.isEmpty()) {
      throw Errors.badRequest("installLayout: layout version " + next.version() + " changes the ranges of server "
          + s.self + " (version " + current.version() + "): " + String.join("; ", moved)
          + "; a server keeps its ranges across layouts (restore re-splits them)");
    }
    // Same ranges, same owners: the shards stay; only the version (and addresses) change.
    ReplicaChain c = s.chain;
    if (c != null) {
      c.install(c.replicas(), layout.getServers());
    }
    s.layout = next;
    LOG.info("server {} installed layout version {} (was {}), data kept", s.self, next.version(), current.version());
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

  long restore(String dir, yarnps.thrift.Layout layout) throws PsError {
    KeyLayout next = layoutOf("restore", layout);
    long clock = 0;
    long rows = 0;
    long start = System.nanoTime();
    List<TableShards> fresh = new ArrayList<>();
    Replicas replicas;
    try {
      replicas = new Replicas(next, PsKeys.REPLICATION.get(s.conf));
    } catch (IllegalArgumentException e) {
      throw Errors.badRequest("restore: " + e.getMessage());
    }
    for (int i = 0; i < s.specs.size(); i++) {
      // Owned and replicated ranges alike: a replica restored from the checkpoint matches its primary.
      fresh.add(new TableShards(s.specs.get(i), replicas, s.self, i));
    }
    if (dir != null && !dir.isEmpty()) {
      Path path = new Path(dir);
      try {
        FileSystem fs = path.getFileSystem(s.conf);
        yarnps.checkpoint.Checkpoint ckpt = new yarnps.checkpoint.CheckpointReader(fs).open(path);
        checkTables(ckpt.manifest(), dir);
        clock = ckpt.clock();
        rows = CheckpointShards.load(s.self, fs, path, fresh);
      } catch (yarnps.checkpoint.CorruptCheckpointException e) {
        LOG.error("server {} refuses to restore {}: {}", s.self, dir, e.getMessage());
        throw Errors.badRequest("server " + s.self + " refuses checkpoint " + dir + ": " + e.getMessage());
      } catch (java.io.FileNotFoundException e) {
        throw Errors.badRequest("server " + s.self + ": " + dir + " is not a checkpoint (no "
            + yarnps.checkpoint.CheckpointFormat.MANIFEST + "): " + e.getMessage());
      } catch (IOException | RuntimeException e) {
        LOG.error("server {} failed to restore {}", s.self, dir, e);
        throw Errors.internal("server " + s.self + " restoring " + dir, e);
      }
    }
    Map<String, TableShards> t = new HashMap<>();
    fresh.forEach(shards -> t.put(shards.spec().name(), shards));
    // Layout first: a request that still sees the old tables is refused by its version or lands in them.
    s.rangeClocks = new RangeClocks(next.numRanges(), PsKeys.WORKERS.get(s.conf));
    s.layout = next;
    s.tables = t;
    s.cut.reset(clock);
    s.held.clear();
    s.keyCache.clear();
    s.applied.clear();
    s.clocks.reset(clock);
    ReplicaChain c = s.chain;
    if (c != null) {
      c.install(replicas, layout.getServers());
    }
    // A replacement restored from the checkpoint (a rollback) serves now, like its peers.
    s.recovering = false;
    LOG.info("server {} restored {} rows at clock {} from {} under layout version {} in {} ms", s.self, rows, clock,
        dir == null || dir.isEmpty() ? "nothing (empty tables)" : dir, next.version(),
        (System.nanoTime() - start) / 1_000_000);
    return rows;
  }

  /** Refuses a checkpoint whose tables do not have this job's shape (width, stride, updater). */
  private void checkTables(yarnps.checkpoint.CheckpointManifest m, String dir) throws PsError {
    for (TableSpec spec : s.specs) {
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

  void markRecovering() {
    s.recovering = true;
  }

  long recoverFromPeers() throws PsError {
    Map<String, TableShards> t = s.tables;
    ReplicaChain c = s.chain;
    if (t == null) {
      throw Errors.notReady("server " + s.self + " has no layout yet");
    }
    if (c == null) {
      throw Errors.badRequest("recoverFromPeers needs yarnps.replication >= 1 (it is "
          + PsKeys.REPLICATION.get(s.conf) + ")");
    }
    long start = System.nanoTime();
    try {
      long rows = PeerRecovery.recover(s.self, t, c.replicas(), c.addresses(), s.clocks, s.applied,
          PsKeys.RPC_MAX_FRAME.get(s.conf), PsKeys.RPC_TIMEOUT_MS.get(s.conf));
      s.recovering = false;
      LOG.info("server {} restored {} rows from its peers in {} ms", s.self, rows,
          (System.nanoTime() - start) / 1_000_000);
      return rows;
    } catch (IOException | RuntimeException e) {
      LOG.error("server {} failed to restore from its peers", s.self, e);
      throw Errors.internal("server " + s.self + " restoring from peers", e);
    }
  }
}
