package yarnps.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.bench.BenchCase.Op;
import yarnps.common.KeyLayout;
import yarnps.thrift.ServerAddress;
import yarnps.conf.PsKeys;
import yarnps.worker.ClientOptions;
import yarnps.worker.ThriftParameterClient;
import yarnps.worker.api.KeyList;

/**
 * A benchmark worker process: drives one case through {@link ThriftParameterClient} on the
 * driver's command, one line on stdin each, and answers one line on stdout:
 * <ul>
 *   <li>{@code prepare <case> <seed> <keyCache> <compression>}: builds the case's keys and values
 *       and a client (key caching true/false, compression none/lz4/snappy); answers {@code prepared};
 *   <li>{@code arm <op> <millis> <maxOps> <latencyFile|->}: sets up the next run; answers
 *       {@code armed};
 *   <li>{@code go}: runs the operation until maxOps or the time is up, writes the per-operation
 *       latencies (ns, little-endian int64) to the file, answers {@code done <ops> <elapsedNs>};
 *   <li>{@code quit} or end of input: exits.
 * </ul>
 * A failed operation answers {@code error <message>} and exits non-zero.
 *
 * <p>Arguments: {@code <index> <layout> <host:port,...> <maxFrameBytes> <lifetimeSeconds>}.
 */
public final class BenchWorkerMain {
  private static final Logger LOG = LoggerFactory.getLogger(BenchWorkerMain.class);

  private final int index;
  private final KeyLayout layout;
  private final List<ServerAddress> servers;
  private final int maxFrame;
  private final PrintStream out;

  private BenchCase benchCase;
  private ThriftParameterClient client;
  private long[] keys;
  private KeyList keyList;
  private float[] values;
  /** One pull target per request in flight, so concurrent pulls do not share an array. */
  private float[][] pullOut;
  private long[] latencies = new long[0];
  private Op op;
  private long runNanos;
  private int maxOps;
  private String latencyFile;

  private BenchWorkerMain(int index, KeyLayout layout, List<ServerAddress> servers, int maxFrame, PrintStream out) {
    this.index = index;
    this.layout = layout;
    this.servers = servers;
    this.maxFrame = maxFrame;
    this.out = out;
  }

  public static void main(String[] args) {
    if (args.length != 5) {
      System.err.println("usage: BenchWorkerMain <index> <layout> <host:port,...> <maxFrameBytes> <lifetimeSeconds>");
      System.exit(BenchExit.USAGE);
    }
    int index = Integer.parseInt(args[0]);
    BenchExit.haltAfter(Long.parseLong(args[4]), "bench worker " + index);
    List<ServerAddress> servers = new ArrayList<>();
    String[] addrs = args[2].split(",");
    for (int s = 0; s < addrs.length; s++) {
      int colon = addrs[s].lastIndexOf(':');
      servers.add(new ServerAddress(s, addrs[s].substring(0, colon), Integer.parseInt(addrs[s].substring(colon + 1))));
    }
    BenchWorkerMain w = new BenchWorkerMain(index, BenchLayout.decode(args[1]), servers, Integer.parseInt(args[3]),
        System.out);
    System.exit(w.serve());
  }

  private int serve() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] cmd = line.trim().split(" ");
        switch (cmd[0]) {
          case "prepare" -> reply(prepare(BenchCase.byId(cmd[1]), Long.parseLong(cmd[2]), Boolean.parseBoolean(cmd[3]),
              PsKeys.BlockCompression.valueOf(cmd[4].toUpperCase(java.util.Locale.ROOT))));
          case "arm" -> reply(arm(Op.valueOf(cmd[1].toUpperCase(java.util.Locale.ROOT)), Long.parseLong(cmd[2]),
              Integer.parseInt(cmd[3]), cmd[4]));
          case "go" -> reply(run());
          case "quit" -> {
            return BenchExit.OK;
          }
          default -> throw new IllegalArgumentException("unknown command '" + line + "'");
        }
      }
      return BenchExit.OK;
    } catch (IOException | RuntimeException e) {
      LOG.error("bench worker {} failed", index, e);
      reply("error worker " + index + ": " + String.valueOf(rootCause(e)).replace('\n', ' '));
      return BenchExit.FAILED;
    } finally {
      if (client != null) {
        client.close();
      }
    }
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private void reply(String line) {
    out.println(line);
    out.flush();
  }

  private String prepare(BenchCase c, long seed, boolean keyCache, PsKeys.BlockCompression compression)
      throws IOException {
    if (client != null) {
      client.close();
    }
    benchCase = c;
    keys = c.keys(index, seed);
    values = new float[keys.length];
    SplittableRandom rnd = new SplittableRandom(seed ^ index);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (rnd.nextDouble() - 0.5) * 1e-3f;
    }
    pullOut = new float[c.inFlight][keys.length];
    ClientOptions options = ClientOptions.defaults().withMaxFrameBytes(maxFrame).withKeyCache(keyCache)
        .withCompression(compression);
    client = new ThriftParameterClient(layout, servers, Map.of(BenchCase.TABLE, 1), index, options);
    // With key caching the job's way: one prepared list, pulled and pushed again and again.
    // Without: a plain long[] per call, sliced and encoded every time.
    keyList = keyCache ? client.keys(keys) : null;
    return "prepared";
  }

  private String arm(Op op, long millis, int maxOps, String file) {
    if (!benchCase.ops.contains(op)) {
      throw new IllegalArgumentException("case " + benchCase.id + " has no op " + op.id());
    }
    this.op = op;
    this.runNanos = millis * 1_000_000L;
    this.maxOps = maxOps;
    this.latencyFile = file;
    if (latencies.length < maxOps) {
      latencies = new long[maxOps];
    }
    return "armed";
  }

  private CompletableFuture<?> issue(int slot) {
    return switch (op) {
      case PUSH -> keyList != null ? client.push(BenchCase.TABLE, keyList, values)
          : client.push(BenchCase.TABLE, keys, values);
      case PULL -> keyList != null ? client.pull(BenchCase.TABLE, keyList, pullOut[slot])
          : client.pull(BenchCase.TABLE, keys, pullOut[slot]);
      case PUSHPULL -> (keyList != null ? client.push(BenchCase.TABLE, keyList, values)
          : client.push(BenchCase.TABLE, keys, values))
          .thenCompose(v -> keyList != null ? client.pull(BenchCase.TABLE, keyList, pullOut[slot])
              : client.pull(BenchCase.TABLE, keys, pullOut[slot]));
    };
  }

  /** Keeps up to inFlight operations outstanding; each records its own issue-to-completion time. */
  private String run() throws IOException {
    int depth = benchCase.inFlight;
    CompletableFuture<?>[] ring = new CompletableFuture<?>[depth];
    long[] lat = latencies;
    long start = System.nanoTime();
    long deadline = start + runNanos;
    int issued = 0;
    while (issued < maxOps && System.nanoTime() - deadline < 0) {
      int slot = issued % depth;
      if (ring[slot] != null) {
        ring[slot].join();
      }
      int at = issued;
      long t0 = System.nanoTime();
      ring[slot] = issue(slot).whenComplete((v, e) -> lat[at] = System.nanoTime() - t0);
      issued++;
    }
    for (CompletableFuture<?> f : ring) {
      if (f != null) {
        f.join();
      }
    }
    long elapsed = System.nanoTime() - start;
    if (!latencyFile.equals("-")) {
      writeLongs(Path.of(latencyFile), lat, issued);
    }
    return "done " + issued + " " + elapsed;
  }

  static void writeLongs(Path file, long[] v, int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asLongBuffer().put(v, 0, n);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }
}
