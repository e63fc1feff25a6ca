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
import yarnps.common.ValueCodec;
import yarnps.conf.TableSpec;
import yarnps.model.ModelWriter;
import yarnps.rpc.Errors;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PsError;
import yarnps.thrift.PullRequest;
import yarnps.thrift.PullResponse;
import yarnps.thrift.PushRequest;
import yarnps.thrift.SaveResult;
import yarnps.thrift.ServerStats;
import yarnps.thrift.TableStats;

/**
 * The ParameterService of one server: decodes key and value blocks into per-thread buffers,
 * hands them to the table's shards, encodes replies. A malformed request is refused with
 * BAD_REQUEST and changes nothing; the connection and the server go on.
 */
public final class ParameterHandler implements ParameterService.Iface {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterHandler.class);

  private final int self;
  private final Configuration conf;
  private final List<TableSpec> specs;
  private volatile Map<String, TableShards> tables;
  private volatile KeyLayout layout;
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

  /** Reused per handler thread: grows to the largest request seen. */
  private static final class Buffers {
    long[] keys = new long[1024];
    float[] values = new float[1024];
    int[] runs = new int[96];

    void ensure(int n, int floats, int maxRuns) {
      if (keys.length < n) {
        keys = new long[Math.max(n, keys.length * 2)];
      }
      if (values.length < floats) {
        values = new float[Math.max(floats, values.length * 2)];
      }
      if (runs.length < 3 * maxRuns) {
        runs = new int[3 * maxRuns];
      }
    }
  }

  public ParameterHandler(int self, Configuration conf, List<TableSpec> specs) {
    this.self = self;
    this.conf = conf;
    this.specs = specs;
  }

  /** Creates the shards of the ranges this server holds in {@code layout}; until then calls are NOT_READY. */
  public void install(KeyLayout layout) {
    Map<String, TableShards> t = new HashMap<>();
    for (TableSpec spec : specs) {
      t.put(spec.name(), new TableShards(spec, layout, self));
    }
    this.layout = layout;
    this.tables = t;
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

  private void decodeKeys(String op, String table, int n, ByteBuffer block, Buffers b, int floats) throws PsError {
    if (n < 0 || n > block.remaining()) {
      throw Errors.badRequest(op + " " + table + ": key count " + n + " does not fit a key block of "
          + block.remaining() + " bytes (each key takes at least one byte)");
    }
    b.ensure(n, floats, Math.min(Math.max(n, 1), layout.numRanges()));
    try {
      KeyCodec.decode(block, n, b.keys, 0);
    } catch (IllegalArgumentException e) {
      throw Errors.badRequest(op + " " + table + ": bad key block: " + e.getMessage());
    }
  }

  @Override
  public void push(PushRequest req) throws PsError {
    TableShards t = table(req.getTable());
    checkLayout(req.getLayoutVersion());
    int n = req.getNumKeys();
    long floats = (long) n * t.width();
    if (floats > Integer.MAX_VALUE - 8) {
      throw Errors.badRequest("push " + req.getTable() + ": " + n + " keys of width " + t.width() + " is too many");
    }
    Buffers b = buffers.get();
    // The generated bufferFor* accessors copy; the request is ours to consume.
    ByteBuffer keys = req.keys;
    ByteBuffer vals = req.values;
    bytesIn.add(keys.remaining() + vals.remaining());
    if (vals.remaining() != floats * 4) {
      throw Errors.badRequest("push " + req.getTable() + ": " + n + " keys of width " + t.width() + " need "
          + floats * 4 + " value bytes, got " + vals.remaining());
    }
    decodeKeys("push", req.getTable(), n, keys, b, (int) floats);
    try {
      ValueCodec.decode(vals, (int) floats, b.values, 0);
    } catch (IllegalArgumentException e) {
      throw Errors.badRequest("push " + req.getTable() + ": bad value block: " + e.getMessage());
    }
    for (int i = 0; i < floats; i++) {
      if (!Float.isFinite(b.values[i])) {
        throw Errors.badRequest("push " + req.getTable() + ": value of key "
            + Long.toUnsignedString(b.keys[i / t.width()]) + " is " + b.values[i]);
      }
    }
    int numRuns = t.runs(b.keys, n, b.runs);
    t.push(b.keys, b.values, b.runs, numRuns, n);
  }

  @Override
  public PullResponse pull(PullRequest req) throws PsError {
    TableShards t = table(req.getTable());
    checkLayout(req.getLayoutVersion());
    int n = req.getNumKeys();
    long floats = (long) n * t.width();
    if (floats * 4 > Integer.MAX_VALUE - 64) {
      throw Errors.badRequest("pull " + req.getTable() + ": " + n + " keys of width " + t.width() + " is too many");
    }
    Buffers b = buffers.get();
    ByteBuffer keys = req.keys;
    bytesIn.add(keys.remaining());
    decodeKeys("pull", req.getTable(), n, keys, b, (int) floats);
    int numRuns = t.runs(b.keys, n, b.runs);
    t.pull(b.keys, b.values, b.runs, numRuns, n);
    byte[] out = new byte[(int) floats * 4];
    ValueCodec.encode(b.values, 0, (int) floats, out, 0);
    bytesOut.add(out.length);
    return new PullResponse(n, ByteBuffer.wrap(out));
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
    return new ServerStats(self, l == null ? 0 : l.version(), out, bytesIn.sum(), bytesOut.sum());
  }

  @Override
  public SaveResult save(String table, String dir) throws PsError {
    TableShards t = table(table);
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
    g.put("bytes_in", (double) bytesIn.sum());
    g.put("bytes_out", (double) bytesOut.sum());
    return g;
  }
}
