package yarnps.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@code bench pushpull}. Without --servers and --workers the benchmark runs 1 x 1 and
 * 2 x 2; with either, only that shape (the other defaulting to 1).
 */
record BenchOptions(List<int[]> shapes, List<BenchCase> cases, List<String> handlers, int reps, long millis,
    long warmupMillis, int maxOps, long loopbackMillis, String serverHeap, String workerHeap, long seed,
    boolean keyCache, String compression, int replication) {

  static final String USAGE = """
      usage: bench pushpull [--servers S] [--workers W] [--cases c1,c2] [--handler store|empty|both] [--reps N]
                            [--seconds T] [--warmup-seconds T] [--max-ops N] [--loopback-seconds T]
                            [--server-heap 1g] [--worker-heap 1g] [--seed N]
                            [--key-cache on|off] [--compression none|lz4|snappy] [--replication K]
        cases: dense1M, sparse100k, small1k, small1k_x16 (default: all)
        default: both handlers, 1x1 and 2x2, 3 reps of 1 s per case and op after 0.5 s warm-up,
                 loopback reference 3 x 2 s per write size (0 skips it), key caching on (a prepared
                 key list per case), no compression, no replication (K >= 1 needs more than K servers
                 and the store handler: pushes are acknowledged once K further servers stored them)""";

  static BenchOptions parse(String[] args) {
    Integer servers = null;
    Integer workers = null;
    List<BenchCase> cases = List.of(BenchCase.values());
    List<String> handlers = List.of("store", "empty");
    int reps = 3;
    double seconds = 1.0;
    double warmup = 0.5;
    int maxOps = 1_000_000;
    double loopback = 2.0;
    String serverHeap = "1g";
    String workerHeap = "1g";
    long seed = 42;
    boolean keyCache = true;
    String compression = "none";
    int replication = 0;
    int i = 0;
    if (args.length > 0 && args[0].equals("pushpull")) {
      i++;
    }
    for (; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--servers" -> servers = positive(a, Integer.parseInt(v));
        case "--workers" -> workers = positive(a, Integer.parseInt(v));
        case "--cases" -> {
          List<BenchCase> c = new ArrayList<>();
          for (String id : v.split(",")) {
            if (!id.isBlank()) {
              c.add(BenchCase.byId(id));
            }
          }
          cases = List.copyOf(c);
        }
        case "--handler" -> handlers = switch (v) {
          case "store" -> List.of("store");
          case "empty" -> List.of("empty");
          case "both" -> List.of("store", "empty");
          default -> throw new IllegalArgumentException("--handler must be store, empty or both, not " + v);
        };
        case "--reps" -> reps = positive(a, Integer.parseInt(v));
        case "--seconds" -> seconds = Double.parseDouble(v);
        case "--warmup-seconds" -> warmup = Double.parseDouble(v);
        case "--max-ops" -> maxOps = positive(a, Integer.parseInt(v));
        case "--loopback-seconds" -> loopback = Double.parseDouble(v);
        case "--server-heap" -> serverHeap = v;
        case "--worker-heap" -> workerHeap = v;
        case "--seed" -> seed = Long.parseLong(v);
        case "--key-cache" -> keyCache = switch (v) {
          case "on" -> true;
          case "off" -> false;
          default -> throw new IllegalArgumentException("--key-cache must be on or off, not " + v);
        };
        case "--compression" -> {
          if (!v.equals("none") && !v.equals("lz4") && !v.equals("snappy")) {
            throw new IllegalArgumentException("--compression must be none, lz4 or snappy, not " + v);
          }
          compression = v;
        }
        case "--replication" -> {
          replication = Integer.parseInt(v);
          if (replication < 0) {
            throw new IllegalArgumentException("--replication must be >= 0, got " + v);
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (cases.isEmpty()) {
      throw new IllegalArgumentException("--cases names no case");
    }
    if (!(seconds > 0) || warmup < 0 || loopback < 0) {
      throw new IllegalArgumentException("--seconds must be > 0, --warmup-seconds and --loopback-seconds >= 0");
    }
    List<int[]> shapes = servers == null && workers == null
        ? List.of(new int[] {1, 1}, new int[] {2, 2})
        : List.<int[]>of(new int[] {servers == null ? 1 : servers, workers == null ? 1 : workers});
    return new BenchOptions(shapes, cases, handlers, reps, Math.round(seconds * 1000), Math.round(warmup * 1000),
        maxOps, Math.round(loopback * 1000), serverHeap, workerHeap, seed, keyCache, compression, replication);
  }

  private static int positive(String option, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(option + " must be >= 1, got " + v);
    }
    return v;
  }
}
