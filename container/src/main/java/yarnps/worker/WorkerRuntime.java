package yarnps.worker;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.common.KeyLayout;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.runtime.ContainerEnv;
import yarnps.runtime.CoordinatorClient;
import yarnps.runtime.JobConf;
import yarnps.server.ParameterServer;
import yarnps.thrift.Layout;
import yarnps.thrift.MetricsReport;
import yarnps.thrift.RegisterRequest;
import yarnps.thrift.RegisterResponse;
import yarnps.thrift.Role;
import yarnps.worker.api.InputSplit;
import yarnps.worker.api.LineReader;
import yarnps.worker.api.MalformedInputException;
import yarnps.worker.api.ParameterClient;
import yarnps.worker.api.WorkerContext;

/** The {@link WorkerContext} of one worker container, connected to the AM and the servers. */
final class WorkerRuntime implements WorkerContext, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);

  private final Configuration conf;
  private final ContainerEnv env;
  private final CoordinatorClient am;
  private final PsKeys.MalformedPolicy malformedPolicy;
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong clock = new AtomicLong();
  private final Map<String, Double> gauges = new ConcurrentHashMap<>();
  private volatile double progress;
  private int numWorkers;
  private volatile ThriftParameterClient params;
  /** The clock the current run of the job starts at. */
  private volatile long resumeClock;
  /** The last rollback whose calls this worker dropped (0: none), echoed in heartbeats as rollback_id. */
  private volatile long rollbackId;

  WorkerRuntime(Configuration conf, ContainerEnv env, CoordinatorClient am) {
    this.conf = conf;
    this.env = env;
    this.am = am;
    this.malformedPolicy = PsKeys.MALFORMED.get(conf);
  }

  /** This worker's registration; its clock tells a new AM attempt where the worker is. */
  RegisterRequest registration() {
    RegisterRequest r = new RegisterRequest(Role.WORKER, env.index(), env.containerId(), JobConf.localHost(), 0);
    r.setClock(clock());
    return r;
  }

  /** Registers, waits for the layout and connects to the servers. */
  void connect() throws IOException, InterruptedException {
    RegisterResponse r = am.register(registration());
    numWorkers = r.getNumWorkers();
    resumeClock = r.getResumeClock();
    if (resumeClock > 0) {
      LOG.info("worker {} resumes at clock {}", env.index(), resumeClock);
    }
    connectServers(1);
  }

  /**
   * Carries out a rollback the AM ordered: drops the servers' connections (failing every pending
   * call), and connects again once the AM's layout is at least the rollback's, to run the job
   * again from the rollback's clock.
   */
  void rollback(yarnps.thrift.HeartbeatResponse order) throws IOException, InterruptedException {
    disconnect();
    resumeClock = order.getResumeClock();
    LOG.warn("worker {}: rollback {} to clock {} (layout {})", env.index(), order.getRollbackId(), resumeClock,
        order.getLayoutVersion());
    connectServers(order.getLayoutVersion());
  }

  /** Tells the AM, in the next heartbeats, that this worker dropped its calls for the rollback. */
  void acknowledgeRollback(long id) {
    rollbackId = Math.max(rollbackId, id);
  }

  /** Fails every pending call to the servers and closes their connections. */
  void disconnect() {
    ThriftParameterClient p = params;
    if (p != null) {
      p.close();
    }
  }

  long rollbackId() {
    return rollbackId;
  }

  @Override
  public long resumeClock() {
    return resumeClock;
  }

  private void connectServers(long minVersion) throws IOException, InterruptedException {
    Layout layout = ParameterServer.awaitLayout(am, PsKeys.HEARTBEAT_MS.get(conf), minVersion);
    Map<String, Integer> widths = new HashMap<>();
    for (TableSpec t : TableSpec.allFromConf(conf)) {
      widths.put(t.name(), t.width());
    }
    ThriftParameterClient client = new ThriftParameterClient(KeyLayout.fromThrift(layout), layout.getServers(), widths,
        env.index(), ClientOptions.from(conf, numWorkers), am::layout, PsKeys.RECOVERY_TIMEOUT_MS.get(conf));
    client.startClock(resumeClock);
    params = client;
    LOG.info("worker {} of {} connected to {} servers (layout version {})", env.index(), numWorkers,
        layout.getServersSize(), layout.getVersion());
  }

  /** Iterations done: the data-plane clock once the job advances it, else the last reported point. */
  long clock() {
    ThriftParameterClient p = params;
    return p != null && p.clock() > 0 ? p.clock() : clock.get();
  }

  /**
   * Leaves the servers' clock group once this worker's pushes are acknowledged, so that workers
   * still training do not wait for it (sequential or bounded-delay consistency).
   */
  void leaveClockGroup() throws IOException, InterruptedException {
    ThriftParameterClient p = params;
    if (p == null) {
      return;
    }
    try {
      p.leaveClockGroup().get(PsKeys.RPC_TIMEOUT_MS.get(conf), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("worker " + env.index() + " could not leave the clock group: " + e.getMessage(), e);
    }
  }

  double progressValue() {
    return progress;
  }

  Map<String, Double> heartbeatMetrics() {
    Map<String, Double> m = new HashMap<>(gauges);
    m.put("malformed_lines", (double) malformed.get());
    m.put("rollback_id", (double) rollbackId);
    ThriftParameterClient p = params;
    if (p != null) {
      // Data-plane savings: keys not sent thanks to key caching, bytes saved by compression.
      p.counters().forEach((k, v) -> m.put("rpc_" + k, v.doubleValue()));
    }
    return m;
  }

  @Override
  public Configuration conf() {
    return conf;
  }

  @Override
  public int workerIndex() {
    return env.index();
  }

  @Override
  public int numWorkers() {
    return numWorkers;
  }

  @Override
  public FileSystem fileSystem() throws IOException {
    return FileSystem.get(conf);
  }

  @Override
  public List<InputSplit> splits(String input) throws IOException {
    return convert(am.splits(env.index(), input));
  }

  @Override
  public List<InputSplit> allSplits(String input) throws IOException {
    return convert(am.splits(-1, input));
  }

  private static List<InputSplit> convert(List<yarnps.thrift.InputSplit> in) {
    List<InputSplit> out = new ArrayList<>(in.size());
    for (yarnps.thrift.InputSplit s : in) {
      out.add(new InputSplit(s.getPath(), s.getStart(), s.getLength(), s.isWholeFile()));
    }
    return out;
  }

  @Override
  public LineReader openLines(InputSplit split) throws IOException {
    return new SplitLineReader(conf, split);
  }

  @Override
  public void malformed(LineReader at, String reason) throws IOException {
    if (malformedPolicy == PsKeys.MalformedPolicy.FAIL) {
      throw new MalformedInputException(at.file(), at.lineInFile(), reason);
    }
    long n = malformed.incrementAndGet();
    if (n <= 10) {
      LOG.warn("skipping malformed line {}:{} (line {} of split): {}", at.file(), at.lineInFile(), at.lineInSplit(), reason);
    } else if (n == 11) {
      LOG.warn("more malformed lines; counting them in metric malformed_lines without logging");
    }
  }

  @Override
  public long malformedCount() {
    return malformed.get();
  }

  @Override
  public ParameterClient params() {
    return params;
  }

  @Override
  public void progress(double fraction) {
    progress = Math.max(0, Math.min(1, fraction));
  }

  @Override
  public void gauge(String name, double value) {
    gauges.put(name, value);
  }

  @Override
  public void report(long c, Map<String, Double> metrics) throws IOException {
    clock.set(c);
    am.report(new MetricsReport(env.index(), c, new HashMap<>(metrics), false));
  }

  @Override
  public void reportFinal(Map<String, Double> metrics, Map<String, String> labels) throws IOException {
    MetricsReport r = new MetricsReport(env.index(), clock.get(), new HashMap<>(metrics), true);
    r.setLabels(new HashMap<>(labels));
    am.report(r);
  }

  @Override
  public void barrier(String name) throws IOException {
    am.barrier(env.index(), name);
  }

  @Override
  public void close() {
    if (params != null) {
      params.close();
    }
  }
}
