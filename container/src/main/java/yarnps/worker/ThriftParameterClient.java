package yarnps.worker;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import yarnps.common.KeyArrays;
import yarnps.common.KeyCodec;
import yarnps.common.KeyLayout;
import yarnps.common.ValueCodec;
import yarnps.thrift.PullRequest;
import yarnps.thrift.PullResponse;
import yarnps.thrift.PushRequest;
import yarnps.thrift.SaveResult;
import yarnps.thrift.ServerAddress;
import yarnps.worker.api.ParameterClient;

/**
 * {@link ParameterClient} over Thrift: slices each call by the layout's key ranges and sends every
 * server its slice on a pooled connection, all servers in parallel. A server's slice that covers
 * one contiguous run of the caller's keys is encoded straight from the caller's arrays; otherwise
 * the run is gathered first.
 */
public final class ThriftParameterClient implements ParameterClient, Closeable {
  private final KeyLayout layout;
  private final Map<String, Integer> widths;
  private final int worker;
  private final LongSupplier clock;
  private final ServerConnections[] servers;
  private final ExecutorService executor;
  private final int maxFrameBytes;
  /** Room in a frame for everything but the key and value blocks (table name, ids, headers). */
  private static final int FRAME_OVERHEAD = 4096;

  public ThriftParameterClient(KeyLayout layout, List<ServerAddress> addresses, Map<String, Integer> widths,
      int worker, LongSupplier clock, int connectionsPerServer, int maxFrameBytes, int timeoutMs) {
    this.layout = layout;
    this.widths = Map.copyOf(widths);
    this.worker = worker;
    this.clock = clock;
    this.maxFrameBytes = maxFrameBytes;
    this.servers = new ServerConnections[layout.numServers()];
    for (ServerAddress a : addresses) {
      servers[a.getIndex()] = new ServerConnections(a.getIndex(), a.getHost(), a.getPort(),
          connectionsPerServer, maxFrameBytes, timeoutMs);
    }
    for (int s = 0; s < servers.length; s++) {
      if (servers[s] == null) {
        throw new IllegalArgumentException("layout names server " + s + " but gives no address for it");
      }
    }
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(servers.length * connectionsPerServer, r -> {
      Thread t = new Thread(r, "ps-client-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public int width(String table) {
    Integer w = widths.get(table);
    if (w == null) {
      throw new IllegalArgumentException("unknown table '" + table + "' (tables: " + widths.keySet() + ")");
    }
    return w;
  }

  private void check(String op, String table, long[] keys, int values, int width) {
    if (values < keys.length * width) {
      throw new IllegalArgumentException(op + " " + table + ": " + keys.length + " keys of width " + width
          + " need " + keys.length * width + " values, got " + values);
    }
    if (!KeyArrays.isSortedUnique(keys, 0, keys.length)) {
      throw new IllegalArgumentException(op + " " + table
          + ": keys must be sorted ascending (unsigned) and unique; use KeyArrays.sortUnique");
    }
  }

  /** Keys per request such that a push or a pull reply of that many keys fits one frame. */
  private int maxKeysPerRequest(int width) {
    return Math.max(1, (maxFrameBytes - FRAME_OVERHEAD) / (KeyCodec.maxEncodedSize(1) + 4 * width));
  }

  @Override
  public CompletableFuture<Void> push(String table, long[] keys, float[] values) {
    int width = width(table);
    check("push", table, keys, values.length, width);
    return fanOut(keys, width, (server, chunk) -> {
      PushRequest req = pushRequest(table, keys, values, width, chunk);
      return () -> server.call("push " + table, c -> {
        c.push(req);
        return null;
      });
    });
  }

  /** What to send for one chunk of one server's slice: built now, run on the executor. */
  @FunctionalInterface
  private interface ChunkCall {
    Runnable prepare(ServerConnections server, RequestChunk chunk);
  }

  /**
   * Slices keys by the layout, cuts each server's slice into frame-sized chunks, and runs every
   * chunk's call in parallel; the future completes when all have.
   */
  private CompletableFuture<Void> fanOut(long[] keys, int width, ChunkCall call) {
    KeyLayout.Slices slices = layout.slice(keys, keys.length);
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    for (int s = 0; s < servers.length; s++) {
      if (slices.count(s) == 0) {
        continue;
      }
      for (RequestChunk chunk : RequestChunk.of(slices, s, maxKeysPerRequest(width))) {
        parts.add(CompletableFuture.runAsync(call.prepare(servers[s], chunk), executor));
      }
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]));
  }

  private PushRequest pushRequest(String table, long[] keys, float[] values, int width, RequestChunk chunk) {
    byte[] valueBlock = new byte[chunk.count * width * 4];
    int pos = 0;
    for (int i = 0; i < chunk.parts; i++) {
      ValueCodec.encode(values, chunk.from[i] * width, chunk.to[i] * width, valueBlock, pos * width * 4);
      pos += chunk.to[i] - chunk.from[i];
    }
    return new PushRequest(table, layout.version(), chunk.count, keyBlock(keys, chunk), ByteBuffer.wrap(valueBlock),
        worker, clock.getAsLong());
  }

  /**
   * The key block of a chunk: encoded straight from the caller's array when the chunk is one
   * contiguous run, else gathered first (deltas run across the whole chunk).
   */
  private static ByteBuffer keyBlock(long[] keys, RequestChunk chunk) {
    byte[] block = new byte[KeyCodec.maxEncodedSize(chunk.count)];
    int len;
    if (chunk.parts == 1) {
      len = KeyCodec.encode(keys, chunk.from[0], chunk.to[0], block, 0);
    } else {
      long[] gathered = new long[chunk.count];
      int pos = 0;
      for (int i = 0; i < chunk.parts; i++) {
        System.arraycopy(keys, chunk.from[i], gathered, pos, chunk.to[i] - chunk.from[i]);
        pos += chunk.to[i] - chunk.from[i];
      }
      len = KeyCodec.encode(gathered, 0, chunk.count, block, 0);
    }
    return ByteBuffer.wrap(block, 0, len);
  }

  @Override
  public CompletableFuture<float[]> pull(String table, long[] keys) {
    return pull(table, keys, new float[keys.length * width(table)]);
  }

  @Override
  public CompletableFuture<float[]> pull(String table, long[] keys, float[] out) {
    int width = width(table);
    check("pull", table, keys, out.length, width);
    return fanOut(keys, width, (server, chunk) -> {
      PullRequest req = new PullRequest(table, layout.version(), chunk.count, keyBlock(keys, chunk), worker,
          clock.getAsLong());
      return () -> scatter(table, server.call("pull " + table, c -> c.pull(req)), out, width, chunk, server);
    }).thenApply(v -> out);
  }

  private static void scatter(String table, PullResponse resp, float[] out, int width, RequestChunk chunk,
      ServerConnections server) {
    ByteBuffer vals = resp.values;
    if (resp.getNumKeys() != chunk.count || vals.remaining() != chunk.count * width * 4) {
      throw new IllegalStateException(server + " answered pull " + table + " of " + chunk.count + " keys with "
          + resp.getNumKeys() + " keys / " + vals.remaining() + " bytes");
    }
    for (int i = 0; i < chunk.parts; i++) {
      int n = (chunk.to[i] - chunk.from[i]) * width;
      ByteBuffer part = vals.slice();
      part.limit(n * 4);
      ValueCodec.decode(part, n, out, chunk.from[i] * width);
      vals.position(vals.position() + n * 4);
    }
  }

  @Override
  public CompletableFuture<List<SavedPart>> save(String table, String dir) {
    width(table);
    List<CompletableFuture<SavedPart>> parts = new ArrayList<>();
    for (ServerConnections server : servers) {
      parts.add(CompletableFuture.supplyAsync(() -> {
        SaveResult r = server.callUnbounded("save " + table, c -> c.save(table, dir));
        return new SavedPart(server.index, r.getPath(), r.getKeys(), r.getBytes());
      }, executor));
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
        .thenApply(v -> parts.stream().map(CompletableFuture::join).toList());
  }

  /** Stats of every server, for tests and tools. */
  public List<yarnps.thrift.ServerStats> stats() {
    List<yarnps.thrift.ServerStats> out = new ArrayList<>();
    for (ServerConnections server : servers) {
      out.add(server.call("stats", c -> c.stats()));
    }
    return out;
  }

  @Override
  public void close() {
    executor.shutdownNow();
    for (ServerConnections s : servers) {
      s.close();
    }
  }

  /** Wraps a server's refusal so the caller's future fails with a message naming the server. */
  static final class ServerCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean canRetry;

    ServerCallException(String message, boolean canRetry, Throwable cause) {
      super(message, cause);
      this.canRetry = canRetry;
    }
  }




}
