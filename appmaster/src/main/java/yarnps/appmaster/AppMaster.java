package yarnps.appmaster;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.token.Token;
import org.apache.hadoop.yarn.api.ApplicationConstants;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerLaunchContext;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.LocalResource;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.client.api.AMRMClient.ContainerRequest;
import org.apache.hadoop.yarn.client.api.async.AMRMClientAsync;
import org.apache.hadoop.yarn.client.api.async.NMClientAsync;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.security.AMRMTokenIdentifier;
import org.apache.hadoop.yarn.webapp.util.WebAppUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.checkpoint.CheckpointFormat;
import yarnps.common.Json;
import yarnps.conf.PsKeys;
import yarnps.rpc.Rpc;
import yarnps.runtime.ContainerEnv;
import yarnps.runtime.ExitCodes;
import yarnps.runtime.JobConf;
import yarnps.server.ParameterServer;
import yarnps.thrift.Coordinator;
import yarnps.thrift.InputSplit;
import yarnps.thrift.Layout;
import yarnps.thrift.Role;

/**
 * The yarn-ps ApplicationMaster: plans input splits, serves the Coordinator and the tracking page,
 * gets and launches the server and worker containers, and ends the application with the job's
 * outcome and diagnostics.
 */
public final class AppMaster {
  private static final Logger LOG = LoggerFactory.getLogger(AppMaster.class);

  /**
   * How often the AM calls the RM's allocate: the RM reports exited containers and gives new ones
   * only in its answers, so while a container is asked for (a start or a replacement) the AM
   * asks more often. MapReduce's AM uses 1 s.
   */
  static final int RM_INTERVAL_MS = 500;
  static final int RM_INTERVAL_WAITING_MS = 100;

  /** How often the throughput chart gets a sample. */
  private static final long TELEMETRY_INTERVAL_MS = 1000;

  /** Name of the job's result file in the output directory. */
  public static final String METRICS_FILE = "_metrics.json";

  private final YarnConfiguration conf;
  private final String appId;
  private final int attempt;
  private final Path stagingDir;
  private JobState state;
  private RecoveryCoordinator recovery;
  private Thread recoveryThread;
  private long savedChanges = -1;
  private Telemetry telemetry;
  private Rpc.Server coordinator;
  private StatusHttpServer http;
  private AMRMClientAsync<ContainerRequest> rm;
  private NMClientAsync nm;
  private ContainerAllocator allocator;
  private Map<String, LocalResource> resources;
  private ByteBuffer containerTokens;
  private String host;
  private RestoreOnStart restore;
  private ServerControls controls;
  private CheckpointCoordinator checkpoints;

  AppMaster(YarnConfiguration conf, String appId, int attempt, Path stagingDir) {
    this.conf = conf;
    this.appId = appId;
    this.attempt = attempt;
    this.stagingDir = stagingDir;
  }

  /** Runs the job to its end; returns the process exit code. */
  int run() throws Exception {
    int servers = PsKeys.SERVERS.get(conf);
    int workers = PsKeys.WORKERS.get(conf);
    Map<String, List<List<InputSplit>>> splits = new HashMap<>();
    String planError = null;
    try {
      splits.put("train", plan(PsKeys.INPUT_TRAIN.require(conf), workers));
      String test = PsKeys.INPUT_TEST.get(conf);
      if (!test.isEmpty()) {
        splits.put("test", plan(test, workers));
      }
    } catch (IOException | IllegalArgumentException e) {
      planError = "cannot plan input splits: " + e.getMessage();
    }
    int replication = PsKeys.REPLICATION.get(conf);
    state = new JobState(servers, workers, PsKeys.VNODES.get(conf), splits, System::currentTimeMillis,
        new JobState.Limits(replication, PsKeys.SERVER_MAX_FAILURES.get(conf), PsKeys.WORKER_MAX_FAILURES.get(conf)));
    telemetry = new Telemetry(state, System::currentTimeMillis, TELEMETRY_INTERVAL_MS);
    long recoveryTimeout = PsKeys.RECOVERY_TIMEOUT_MS.get(conf);
    recovery = new RecoveryCoordinator(state, replication, RecoveryCoordinator.controls((int) recoveryTimeout),
        this::newestCheckpoint);
    host = JobConf.localHost();
    try {
      // A later attempt takes over servers restored long ago: restoring again would lose their work.
      restore = attempt > 1 ? null : RestoreOnStart.open(conf);
    } catch (IOException e) {
      planError = planError != null ? planError : e.getMessage();
    }
    // A call lasts as long as the server's writes (checkpoint) or reads (restore).
    controls = new ServerControls(state::layout, (int) Math.min(Integer.MAX_VALUE,
        Math.max(PsKeys.CHECKPOINT_TIMEOUT_MS.get(conf), PsKeys.RECOVERY_TIMEOUT_MS.get(conf)) + 10_000L));
    try {
      Path checkpointRoot = CheckpointFormat.root(conf);
      checkpoints = new CheckpointCoordinator(conf, checkpointRoot.getFileSystem(conf), checkpointRoot, controls,
          new CheckpointJob(state, () -> restore), System::currentTimeMillis, restore == null ? 0 : restore.clock(),
          TELEMETRY_INTERVAL_MS);
      if (PsKeys.CHECKPOINT_AT_END.get(conf)) {
        state.succeedAfterEndWork();
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("this job takes no checkpoints: {}", e.getMessage());
      state.events().add(EventLog.Kind.WARN, "no checkpoints: " + e.getMessage());
    }
    coordinator = Rpc.startServer("am-coordinator",
        new Coordinator.Processor<>(new CoordinatorHandler(state, recovery::workerResumeClock, checkpoints, restore)),
        0, 64 << 20, 4 * (servers + workers) + 16);
    StatusView view = new StatusView(state, telemetry, jobInfo(PsKeys.QUEUE.get(conf)), System::currentTimeMillis);
    view.checkpoints(checkpoints);
    http = new StatusHttpServer(view, new TrackingPage(), proxyFilterParams());
    String trackingUrl = "http://" + host + ":" + http.port() + "/";
    LOG.info("AM {}: coordinator on {}:{}, tracking page {}", appId, host, coordinator.port(), trackingUrl);

    rm = AMRMClientAsync.createAMRMClientAsync(RM_INTERVAL_MS, new RmCallbacks());
    rm.init(conf);
    rm.start();
    var registration = rm.registerApplicationMaster(host, coordinator.port(), trackingUrl);
    if (registration.getQueue() != null && !registration.getQueue().isEmpty()) {
      view.info(jobInfo(registration.getQueue()));
    }
    List<Container> previous = attempt > 1 ? registration.getContainersFromPreviousAttempts() : List.of();
    state.events().info("ApplicationMaster attempt " + attempt + " registered with the ResourceManager (queue "
        + view.info().queue() + "); " + (attempt > 1 ? previous.size() + " containers of the previous attempt to take over"
        : servers + " servers and " + workers + " workers to start"));
    recoveryThread = new Thread(recovery, "recovery");
    recoveryThread.setDaemon(true);
    recoveryThread.start();
    try {
      writeAmAddress();
      if (attempt > 1) {
        takeOver(previous);
      }
      if (planError == null) {
        startContainers(registration.getMaximumResourceCapability(), previous);
        if (checkpoints != null) {
          checkpoints.start();
        }
      } else {
        state.fail(planError);
      }
      long timeout = PsKeys.HEARTBEAT_TIMEOUT_MS.get(conf);
      // The previous attempt's containers find this attempt through am.address; those not back by then are replaced.
      long takeoverDeadline = System.currentTimeMillis() + Math.min(timeout, recoveryTimeout);
      while (state.awaitOutcome(TELEMETRY_INTERVAL_MS) == JobState.Outcome.RUNNING) {
        if (allocator != null) {
          allocator.replace(state.checkLiveness(timeout, recoveryTimeout));
          if (attempt > 1 && takeoverDeadline > 0 && (state.adoptedAllBack() || System.currentTimeMillis() > takeoverDeadline)) {
            takeoverDeadline = 0;
            allocator.replace(state.endTakeover());
          }
        }
        telemetry.maybeSample();
        if (restore != null && state.layout().getVersion() > 0 && RestoreOnStart.serversInstalled(state)
            && restore.claim()) {
          startRestore();
        }
        if (checkpoints != null && state.workersDone()) {
          checkpoints.atEnd(); // logged and evented if it fails: the job's result stands either way
          state.succeed();
        }
        saveState();
      }
    } catch (Exception e) {
      LOG.error("AM failed while running the job", e);
      state.fail("ApplicationMaster error: " + e);
    }
    recoveryThread.interrupt();
    recovery.close();
    boolean ok = state.outcome() == JobState.Outcome.SUCCEEDED;
    if (ok) {
      writeResult();
    }
    // Servers learn the outcome from their next heartbeat and exit; give them a bounded while.
    state.awaitServersEnded(ok ? 15_000 : 5_000);
    String diagnostics = ok ? "yarn-ps job succeeded" : state.diagnostics();
    LOG.info("AM {} finishing: {} {}", appId, state.outcome(), diagnostics);
    state.events().info("ApplicationMaster unregistering: " + (ok ? "SUCCEEDED" : "FAILED"));
    // No final tracking URL: this page goes away with the AM, and without one the RM's proxy sends
    // the tracking link to the RM's own page of the application (final status, diagnostics).
    rm.unregisterApplicationMaster(ok ? FinalApplicationStatus.SUCCEEDED : FinalApplicationStatus.FAILED,
        diagnostics, "");
    // Only after the final unregister: another attempt would need the staged files.
    deleteStaging();
    return ok ? ExitCodes.OK : ExitCodes.JOB_FAILED;
  }

  private void startRestore() {
    Layout layout = state.layout();
    state.events().info("restoring the servers from " + restore.dir() + " (clock " + restore.clock() + ")");
    Thread t = new Thread(() -> {
      try {
        long rows = restore.run(layout, controls);
        state.events().info("restored " + rows + " rows from " + restore.dir() + "; workers start at clock "
            + restore.clock());
      } catch (IOException | RuntimeException e) {
        state.fail(e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "restore");
    t.setDaemon(true);
    t.start();
  }

  /** The job's facts for the tracking page; {@code queue} is where the RM placed the job. */
  private JobInfo jobInfo(String queue) throws IOException {
    String user = System.getenv(ApplicationConstants.Environment.USER.name());
    if (user == null || user.isEmpty()) {
      user = UserGroupInformation.getCurrentUser().getShortUserName();
    }
    String container = System.getenv(ApplicationConstants.Environment.CONTAINER_ID.name());
    String nmHost = System.getenv(ApplicationConstants.Environment.NM_HOST.name());
    String nmHttpPort = System.getenv(ApplicationConstants.Environment.NM_HTTP_PORT.name());
    String nmHttp = nmHost == null || nmHttpPort == null ? "" : nmHost + ":" + nmHttpPort;
    return new JobInfo(appId, PsKeys.APP_NAME.get(conf), user, queue,
        JobInfo.describeConsistency(conf.get(JobInfo.CONSISTENCY_KEY)), container == null ? "" : container, host, nmHttp,
        WebAppUtils.getHttpSchemePrefix(conf));
  }

  /**
   * The RM web proxy filter's parameters when the RM proxies this AM (it then sets
   * APPLICATION_WEB_PROXY_BASE in our environment) and Hadoop's filter is on the classpath; else null.
   */
  private Map<String, String> proxyFilterParams() {
    String proxyBase = System.getenv(ApplicationConstants.APPLICATION_WEB_PROXY_BASE_ENV);
    if (proxyBase == null || proxyBase.isEmpty()) {
      LOG.info("no {} in the environment: the tracking page is served without the RM proxy filter",
          ApplicationConstants.APPLICATION_WEB_PROXY_BASE_ENV);
      return null;
    }
    if (!ProxyFilter.available()) {
      LOG.warn("{} is not on the classpath: the tracking page is served without the RM proxy filter",
          ProxyFilter.FILTER_CLASS);
      return null;
    }
    Map<String, String> params = ProxyFilter.params(conf, proxyBase);
    LOG.info("tracking page honours the RM web proxy: {}", params);
    return params;
  }

  /** A new attempt: the saved state of the previous one, and its containers to wait for. */
  private void takeOver(List<Container> previous) {
    Path file = new Path(stagingDir, ContainerEnv.AM_STATE_FILE);
    try {
      AmState saved = AmState.read(conf, file);
      if (saved == null) {
        LOG.warn("attempt {}: no {} from the previous attempt; starting from the containers alone", attempt, file);
      } else {
        state.restore(saved);
        LOG.info("attempt {}: took over the state of attempt {} ({} workers finished, layout version {})", attempt,
            saved.attempt(), saved.finishedWorkers().size(), saved.layoutVersion());
      }
    } catch (IOException e) {
      LOG.error("attempt {}: cannot read {}; starting from the containers alone", attempt, file, e);
      state.events().add(EventLog.Kind.WARN, "cannot read the previous attempt's state " + file + ": " + e.getMessage());
    }
    List<String> ids = new java.util.ArrayList<>();
    for (Container c : previous) {
      ids.add(c.getId().toString());
    }
    state.adopt(ids);
    LOG.info("attempt {}: waiting for {} containers of the previous attempt to register: {}", attempt, ids.size(), ids);
  }

  /** Writes {@code <staging>/am.address} ("host:port"), where containers look for a new AM attempt. */
  private void writeAmAddress() throws IOException {
    Path file = new Path(stagingDir, ContainerEnv.AM_ADDRESS_FILE);
    AmState.writeAtomically(conf, file, host + ":" + coordinator.port() + "\n");
    LOG.info("wrote {} = {}:{}", file, host, coordinator.port());
  }

  /** Rewrites {@code <staging>/am-state.json} when the job's state changed since the last write. */
  private void saveState() {
    long changes = state.changes();
    if (changes == savedChanges) {
      return;
    }
    Path file = new Path(stagingDir, ContainerEnv.AM_STATE_FILE);
    try {
      AmState.writeAtomically(conf, file, state.snapshot(attempt).toJson() + "\n");
      savedChanges = changes;
    } catch (IOException e) {
      LOG.warn("could not write {}: {}", file, e.getMessage());
    }
  }

  /** The newest valid checkpoint of the job, for a rollback; none when the job has no checkpoint directory. */
  private yarnps.checkpoint.CheckpointReader.Selection newestCheckpoint() throws IOException {
    Path root;
    try {
      root = yarnps.checkpoint.CheckpointFormat.root(conf);
    } catch (IllegalArgumentException e) {
      LOG.warn("no checkpoint directory: {}", e.getMessage());
      return new yarnps.checkpoint.CheckpointReader.Selection(java.util.Optional.empty(), List.of());
    }
    return new yarnps.checkpoint.CheckpointReader(root.getFileSystem(conf)).newestValid(root);
  }

  private void startContainers(Resource max, List<Container> previous) throws IOException {
    Resource serverCap = Resource.newInstance(PsKeys.SERVER_MEMORY_MB.get(conf), PsKeys.SERVER_VCORES.get(conf));
    Resource workerCap = Resource.newInstance(PsKeys.WORKER_MEMORY_MB.get(conf), PsKeys.WORKER_VCORES.get(conf));
    String error = checkFits("server", serverCap, max);
    if (error == null) {
      error = checkFits("worker", workerCap, max);
    }
    if (error != null) {
      state.fail(error);
      return;
    }
    resources = LaunchSupport.stagedResources(conf, stagingDir);
    containerTokens = containerTokens();
    nm = NMClientAsync.createNMClientAsync(new NmCallbacks());
    nm.init(conf);
    nm.start();
    allocator = new ContainerAllocator(state, new AmRm(), this::launch,
        c -> nm.stopContainerAsync(c.getId(), c.getNodeId()), serverCap, workerCap);
    if (attempt > 1) {
      allocator.adopt(previous);
      return;
    }
    allocator.requestAll();
    state.events().info("requested " + state.numServers() + " server containers (" + serverCap + ") and "
        + state.numWorkers() + " worker containers (" + workerCap + ")");
  }

  private List<List<InputSplit>> plan(String paths, int workers) throws IOException {
    List<InputSplit> all = SplitPlanner.split(conf, SplitPlanner.listFiles(conf, paths), PsKeys.SPLIT_BYTES.get(conf));
    LOG.info("input {}: {} splits for {} workers", paths, all.size(), workers);
    return SplitPlanner.assign(all, workers);
  }

  private static String checkFits(String role, Resource want, Resource max) {
    if (want.getMemorySize() > max.getMemorySize() || want.getVirtualCores() > max.getVirtualCores()) {
      return role + " containers ask for " + want + " but the cluster's maximum allocation is " + max
          + " (lower yarnps." + role + ".memory.mb / yarnps." + role + ".vcores)";
    }
    return null;
  }

  /** The AM's tokens without the AMRM token, for containers (HDFS delegation tokens on secure clusters). */
  private static ByteBuffer containerTokens() throws IOException {
    Credentials creds = UserGroupInformation.getCurrentUser().getCredentials();
    Credentials copy = new Credentials(creds);
    Iterator<Token<?>> it = copy.getAllTokens().iterator();
    Credentials out = new Credentials();
    while (it.hasNext()) {
      Token<?> t = it.next();
      if (!t.getKind().equals(AMRMTokenIdentifier.KIND_NAME)) {
        out.addToken(t.getService(), t);
      }
    }
    return LaunchSupport.tokens(out);
  }

  private void launch(Container container, Role role, int index) {
    boolean server = role == Role.SERVER;
    int memory = server ? PsKeys.SERVER_MEMORY_MB.get(conf) : PsKeys.WORKER_MEMORY_MB.get(conf);
    Map<String, String> env = new HashMap<>(LaunchSupport.environment(conf));
    env.put(ContainerEnv.ROLE, role.name());
    env.put(ContainerEnv.INDEX, Integer.toString(index));
    env.put(ContainerEnv.AM_HOST, host);
    env.put(ContainerEnv.AM_PORT, Integer.toString(coordinator.port()));
    env.put(ContainerEnv.STAGING_DIR, stagingDir.toString());
    String main = server ? ParameterServer.class.getName() : "yarnps.worker.WorkerMain";
    ContainerLaunchContext ctx = ContainerLaunchContext.newInstance(resources, env,
        LaunchSupport.javaCommand(conf, main, memory), null, containerTokens.duplicate(), null);
    nm.startContainerAsync(container, ctx);
  }

  private void writeResult() {
    String output = PsKeys.OUTPUT.get(conf);
    if (output == null) {
      return;
    }
    Path path = new Path(output, METRICS_FILE);
    Json j = new Json().beginObject().field("application", appId).field("outcome", "SUCCEEDED")
        .field("elapsed_ms", System.currentTimeMillis() - state.startMs())
        .numbers("metrics", state.finalMetrics()).strings("labels", state.finalLabels())
        .numbers("counters", Map.of("malformed_lines", state.workerMetricSum("malformed_lines"),
            "examples", state.workerMetricSum("examples")))
        .endObject();
    try {
      FileSystem fs = path.getFileSystem(conf);
      try (OutputStream os = fs.create(path, true)) {
        os.write((j + "\n").getBytes(StandardCharsets.UTF_8));
      }
      LOG.info("wrote job result to {}", path);
    } catch (IOException e) {
      LOG.error("could not write the job result to {}", path, e);
    }
  }

  void stop() {
    if (checkpoints != null) {
      checkpoints.close();
    }
    if (recovery != null) {
      recovery.close();
    }
    if (nm != null) {
      nm.stop();
    }
    if (rm != null) {
      rm.stop();
    }
    if (http != null) {
      http.close();
    }
    if (coordinator != null) {
      coordinator.stop();
    }
  }

  private void deleteStaging() {
    if (!PsKeys.KEEP_STAGING.get(conf)) {
      try {
        stagingDir.getFileSystem(conf).delete(stagingDir, true);
      } catch (IOException e) {
        LOG.warn("could not delete staging dir {}: {}", stagingDir, e.getMessage());
      }
    }
  }

  private final class AmRm implements ContainerAllocator.Rm {
    @Override
    public void request(Role role, Resource capability, Priority priority) {
      rm.addContainerRequest(new ContainerRequest(capability, null, null, priority));
      rm.setHeartbeatInterval(RM_INTERVAL_WAITING_MS);
    }

    @Override
    public void removeRequest(Role role, Resource capability, Priority priority) {
      List<? extends java.util.Collection<ContainerRequest>> matching =
          rm.getMatchingRequests(priority, org.apache.hadoop.yarn.api.records.ResourceRequest.ANY, capability);
      if (!matching.isEmpty() && !matching.get(0).isEmpty()) {
        rm.removeContainerRequest(matching.get(0).iterator().next());
      }
    }

    @Override
    public void release(Container container) {
      rm.releaseAssignedContainer(container.getId());
    }
  }

  private final class RmCallbacks extends AMRMClientAsync.AbstractCallbackHandler {
    @Override
    public void onContainersCompleted(List<ContainerStatus> statuses) {
      allocator.completed(statuses);
    }

    @Override
    public void onContainersAllocated(List<Container> containers) {
      allocator.allocated(containers);
      if (!allocator.waiting()) {
        rm.setHeartbeatInterval(RM_INTERVAL_MS);
      }
    }

    @Override
    public void onContainersUpdated(List<org.apache.hadoop.yarn.api.records.UpdatedContainer> containers) {
    }

    @Override
    public void onShutdownRequest() {
      state.fail("the ResourceManager asked the AM to shut down");
    }

    @Override
    public void onNodesUpdated(List<org.apache.hadoop.yarn.api.records.NodeReport> updated) {
    }

    @Override
    public float getProgress() {
      return state.progress();
    }

    @Override
    public void onError(Throwable e) {
      LOG.error("ResourceManager client error", e);
      state.fail("AM lost the ResourceManager: " + e.getMessage());
    }
  }

  private final class NmCallbacks extends NMClientAsync.AbstractCallbackHandler {
    @Override
    public void onContainerStarted(ContainerId id, Map<String, ByteBuffer> allServiceResponse) {
      LOG.info("container {} started", id);
      state.started(id.toString());
    }

    @Override
    public void onContainerStatusReceived(ContainerId id, ContainerStatus status) {
    }

    @Override
    public void onContainerStopped(ContainerId id) {
    }

    @Override
    public void onStartContainerError(ContainerId id, Throwable t) {
      LOG.warn("could not start container {}", id, t);
      allocator.startFailed(id.toString(), String.valueOf(t.getMessage()));
    }

    @Override
    @SuppressWarnings("deprecation") // required by the abstract handler
    public void onContainerResourceIncreased(ContainerId id, Resource resource) {
    }

    @Override
    public void onContainerResourceUpdated(ContainerId id, Resource resource) {
    }

    @Override
    public void onGetContainerStatusError(ContainerId id, Throwable t) {
    }

    @Override
    @SuppressWarnings("deprecation") // required by the abstract handler
    public void onIncreaseContainerResourceError(ContainerId id, Throwable t) {
    }

    @Override
    public void onUpdateContainerResourceError(ContainerId id, Throwable t) {
    }

    @Override
    public void onStopContainerError(ContainerId id, Throwable t) {
    }
  }

  /** Entry point of the AM container. */
  public static void main(String[] args) {
    AppMaster am = null;
    int code;
    try {
      YarnConfiguration conf = new YarnConfiguration(JobConf.load(ContainerEnv.JOB_CONF_FILE));
      String containerId = System.getenv(ApplicationConstants.Environment.CONTAINER_ID.name());
      var attemptId = ContainerId.fromString(containerId).getApplicationAttemptId();
      String appId = attemptId.getApplicationId().toString();
      String staging = System.getenv(LaunchSupport.STAGING_DIR_ENV);
      if (staging == null) {
        throw new IllegalStateException(LaunchSupport.STAGING_DIR_ENV + " is not set");
      }
      am = new AppMaster(conf, appId, attemptId.getAttemptId(), new Path(staging));
      AppMaster self = am;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> LOG.info("AM JVM exiting")));
      code = self.run();
    } catch (Exception e) {
      LOG.error("AM failed", e);
      code = ExitCodes.INTERNAL_ERROR;
    } finally {
      if (am != null) {
        am.stop();
      }
    }
    System.exit(code);
  }
}
