package yarnps.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.bench.BenchCase.Op;
import yarnps.common.KeyLayout;

/**
 * {@code bench pushpull}: the data-plane benchmark. Starts S server JVMs and W worker JVMs on
 * 127.0.0.1 for every handler ({@code store}: the real table with the add updater; {@code empty}:
 * transport only) and shape (S x W), runs every case and op on all workers at once after a
 * warm-up, repeats it, and prints a table per case and one {@code BENCH} line per case and op
 * (see {@link BenchReport}), after the loopback TCP reference of the same machine.
 *
 * <p>Usage ({@code examples/target/classpath.txt} lists the dependencies):
 * <pre>
 * java -Xmx256m -cp examples/target/classes:container/target/classes:thrift-idl/target/classes:$(cat examples/target/classpath.txt) \
 *   yarnps.bench.PushPullBench [--servers S] [--workers W] [--cases dense1M,sparse100k,small1k,small1k_x16]
 *   [--handler store|empty|both] [--reps N]
 * </pre>
 * Child JVMs take this JVM's java and classpath; they end when the driver closes their stdin, when
 * it kills them (finally block and shutdown hook), or at the latest after a lifetime bound.
 */
public final class PushPullBench {
  private static final Logger LOG = LoggerFactory.getLogger(PushPullBench.class);
  /** As yarnps.rpc.max.frame.bytes' default. */
  private static final int MAX_FRAME = 256 << 20;
  private static final long ANSWER_TIMEOUT_MS = 120_000;
  /** Selector threads per benchmark server, as yarnps.server.selector.threads' default. */
  private static final int SERVER_SELECTORS = 2;

  private final BenchOptions opt;
  private final Path tmp;
  private final BenchReport report = new BenchReport(System.out);
  private final List<ChildProcess> live = new CopyOnWriteArrayList<>();

  PushPullBench(BenchOptions opt, Path tmp) {
    this.opt = opt;
    this.tmp = tmp;
  }

  public static void main(String[] args) throws IOException {
    BenchOptions opt;
    try {
      opt = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(BenchOptions.USAGE);
      System.exit(BenchExit.USAGE);
      return;
    }
    Path tmp = Files.createTempDirectory("yarnps-bench");
    PushPullBench bench = new PushPullBench(opt, tmp);
    Thread hook = new Thread(bench::killAll, "bench-kill-children");
    Runtime.getRuntime().addShutdownHook(hook);
    long start = System.nanoTime();
    int code = BenchExit.OK;
    try {
      bench.runAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.error("benchmark interrupted");
      code = BenchExit.FAILED;
    } catch (IOException | RuntimeException e) {
      LOG.error("benchmark failed", e);
      code = BenchExit.FAILED;
    } finally {
      bench.killAll();
      deleteTree(tmp);
    }
    System.out.printf(java.util.Locale.ROOT, "%nwall time %.1f s%n", (System.nanoTime() - start) / 1e9);
    System.out.flush();
    System.exit(code);
  }

  void runAll() throws IOException, InterruptedException {
    System.out.printf(java.util.Locale.ROOT, "load average at start: %.2f (%d cpus)%n", loadAverage(),
        Runtime.getRuntime().availableProcessors());
    if (opt.loopbackMillis() > 0) {
      loopback("loopback128k", 128 << 10);
      loopback("loopback1m", 1 << 20);
    }
    for (int[] shape : opt.shapes()) {
      for (String handler : opt.handlers()) {
        runGroup(handler, shape[0], shape[1]);
      }
    }
    report.printBenchLines();
    System.out.printf(java.util.Locale.ROOT, "load average at end: %.2f%n", loadAverage());
  }

  /** The one-minute load average: figures taken on a busy machine read low. */
  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private void loopback(String caseId, int writeSize) throws IOException, InterruptedException {
    LoopbackBench.run(writeSize, Math.min(500, opt.loopbackMillis()));
    List<LoopbackBench.Run> runs = new ArrayList<>();
    for (int r = 0; r < opt.reps(); r++) {
      runs.add(LoopbackBench.run(writeSize, opt.loopbackMillis()));
    }
    report.addLoopback(caseId, runs);
  }

  /** One handler and shape: starts its servers and workers, runs every case, stops them. */
  private void runGroup(String handler, int numServers, int numWorkers) throws IOException, InterruptedException {
    KeyLayout layout = BenchLayout.build(numServers, opt.seed());
    String layoutText = BenchLayout.encode(layout);
    long lifetime = lifetimeSeconds();
    LOG.info("{} handler, {} servers x {} workers: starting ({} key ranges)", handler, numServers, numWorkers,
        layout.numRanges());
    List<ChildProcess> servers = new ArrayList<>();
    List<ChildProcess> workers = new ArrayList<>();
    try {
      for (int s = 0; s < numServers; s++) {
        servers.add(child("server-" + s, opt.serverHeap(), BenchServerMain.class, String.valueOf(s), handler,
            layoutText, String.valueOf(SERVER_SELECTORS), String.valueOf(MAX_FRAME),
            String.valueOf(lifetime), String.valueOf(opt.replication())));
      }
      StringBuilder addrs = new StringBuilder();
      for (ChildProcess s : servers) {
        String port = s.expect("port ", ANSWER_TIMEOUT_MS).substring("port ".length()).trim();
        addrs.append(addrs.length() == 0 ? "" : ",").append("127.0.0.1:").append(port);
      }
      if (opt.replication() > 0 && handler.equals("store")) {
        broadcast(servers, "peers " + addrs);
        await(servers, "peers ok", ANSWER_TIMEOUT_MS);
      }
      for (int w = 0; w < numWorkers; w++) {
        workers.add(child("worker-" + w, opt.workerHeap(), BenchWorkerMain.class, String.valueOf(w), layoutText,
            addrs.toString(), String.valueOf(MAX_FRAME), String.valueOf(lifetime)));
      }
      for (BenchCase c : opt.cases()) {
        runCase(handler, numServers, workers, c);
      }
    } finally {
      for (ChildProcess p : workers) {
        p.close();
        live.remove(p);
      }
      for (ChildProcess p : servers) {
        p.close();
        live.remove(p);
      }
    }
  }

  private void runCase(String handler, int numServers, List<ChildProcess> workers, BenchCase c)
      throws IOException, InterruptedException {
    broadcast(workers, "prepare " + c.id + " " + opt.seed() + " " + opt.keyCache() + " " + opt.compression());
    await(workers, "prepared", ANSWER_TIMEOUT_MS);
    List<BenchReport.Result> rows = new ArrayList<>();
    for (Op op : c.ops) {
      if (opt.warmupMillis() > 0) {
        runRep(workers, op, opt.warmupMillis(), false);
      }
      List<BenchReport.Rep> reps = new ArrayList<>();
      for (int r = 0; r < opt.reps(); r++) {
        BenchReport.Rep rep = runRep(workers, op, opt.millis(), true);
        LOG.info("{} {}x{} {} {} rep {}/{}: {} ops/s, p50 {} ms", handler, numServers, workers.size(), c.id,
            op.id(), r + 1, opt.reps(), BenchReport.num(rep.opsPerSec()),
            BenchReport.num(rep.latency().p50Ns() / 1e6));
        reps.add(rep);
      }
      rows.add(report.add(handler, numServers, workers.size(), c, op, reps));
    }
    report.printCase(handler, numServers, workers.size(), c, opt.reps(), opt.millis(), rows);
  }

  /**
   * Arms every worker, starts them together, and waits for all. Returns the summed throughput and
   * the latencies of all workers' operations, or null for a warm-up.
   */
  private BenchReport.Rep runRep(List<ChildProcess> workers, Op op, long millis, boolean record)
      throws IOException, InterruptedException {
    Path[] files = new Path[workers.size()];
    for (int w = 0; w < workers.size(); w++) {
      files[w] = tmp.resolve("latency-" + w + ".bin");
      workers.get(w).send("arm " + op.id() + " " + millis + " " + opt.maxOps() + " " + (record ? files[w] : "-"));
    }
    await(workers, "armed", ANSWER_TIMEOUT_MS);
    broadcast(workers, "go");
    double opsPerSec = 0;
    long total = 0;
    int[] counts = new int[workers.size()];
    for (int w = 0; w < workers.size(); w++) {
      String[] done = workers.get(w).expect("done ", millis + ANSWER_TIMEOUT_MS).split(" ");
      counts[w] = Integer.parseInt(done[1]);
      opsPerSec += counts[w] / (Long.parseLong(done[2]) / 1e9);
      total += counts[w];
    }
    if (!record) {
      return null;
    }
    long[] all = new long[Math.toIntExact(total)];
    int at = 0;
    for (int w = 0; w < workers.size(); w++) {
      ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(files[w])).order(ByteOrder.LITTLE_ENDIAN);
      if (buf.remaining() != counts[w] * Long.BYTES) {
        throw new IOException(files[w] + " holds " + buf.remaining() + " bytes, expected " + counts[w] + " latencies");
      }
      buf.asLongBuffer().get(all, at, counts[w]);
      at += counts[w];
    }
    return new BenchReport.Rep(opsPerSec, BenchStats.latency(all, all.length));
  }

  private static void broadcast(List<ChildProcess> to, String line) {
    for (ChildProcess p : to) {
      p.send(line);
    }
  }

  private static void await(List<ChildProcess> from, String prefix, long timeoutMs) throws InterruptedException {
    for (ChildProcess p : from) {
      p.expect(prefix, timeoutMs);
    }
  }

  private ChildProcess child(String name, String heap, Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.add("-Djava.net.preferIPv4Stack=true");
    String log4j = System.getProperty("log4j2.configurationFile");
    if (log4j != null) {
      cmd.add("-Dlog4j2.configurationFile=" + log4j);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    ChildProcess p = ChildProcess.start(name, cmd);
    live.add(p);
    return p;
  }

  /** A bound on a group's children's life: twice the planned run time plus ten minutes. */
  private long lifetimeSeconds() {
    long ms = 0;
    for (BenchCase c : opt.cases()) {
      ms += c.ops.size() * (opt.reps() * opt.millis() + opt.warmupMillis());
    }
    return 600 + 2 * ms / 1000;
  }

  private void killAll() {
    for (ChildProcess p : live) {
      p.kill();
    }
    live.clear();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", dir, e.toString());
    }
  }
}
