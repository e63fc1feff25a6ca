package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yarnps.checkpoint.CheckpointFormat;
import yarnps.checkpoint.CheckpointManifest;
import yarnps.checkpoint.CheckpointReader;
import yarnps.checkpoint.ShardHeader;
import yarnps.checkpoint.ShardWriter;
import yarnps.common.KeyLayout;
import yarnps.conf.Initializer;
import yarnps.conf.TableKeys.UpdaterKind;
import yarnps.conf.TableSpec;
import yarnps.thrift.ClockUpdate;
import yarnps.thrift.Command;
import yarnps.thrift.ErrorCode;
import yarnps.thrift.HeartbeatResponse;
import yarnps.thrift.InputSplit;
import yarnps.thrift.Layout;
import yarnps.thrift.PsError;
import yarnps.thrift.Role;

/** The recovery coordinator's orchestration against fake servers and real checkpoints on the local FS. */
class RecoveryCoordinatorTest {
  private final AtomicLong now = new AtomicLong(1_000);
  /** Every control call, in order: "install 0 v2", "recover 1 node9:7900 (published v1)", "restore 2 <dir> v2", ... */
  private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  private final Map<Integer, Map<String, Long>> counters = new HashMap<>();
  private final List<String> failing = new ArrayList<>();
  /** Calls answered once with a retryable NOT_READY, as a replacement without its first layout does. */
  private final List<String> notReadyOnce = new ArrayList<>();
  private JobState state;

  @TempDir
  java.nio.file.Path tmp;

  private final class FakeServer implements RecoveryCoordinator.Server {
    final int index;
    final String address;

    FakeServer(int index, String host, int port) {
      this.index = index;
      this.address = host + ":" + port;
    }

    private void call(String what) throws IOException {
      if (notReadyOnce.remove(what + " " + index)) {
        throw new IOException("server " + index + " refused " + what,
            new PsError(ErrorCode.NOT_READY, "server " + index + " has no layout yet", true));
      }
      if (failing.contains(what + " " + index)) {
        throw new IOException("server " + index + " (" + address + ") unreachable for " + what);
      }
    }

    @Override
    public void installLayout(Layout layout) throws IOException {
      call("install");
      calls.add("install " + index + " v" + layout.getVersion());
    }

    @Override
    public long restore(String dir, Layout layout) throws IOException {
      call("restore");
      calls.add("restore " + index + " " + (dir.isEmpty() ? "<empty>" : new Path(dir).getName()) + " v" + layout.getVersion());
      return 10;
    }

    @Override
    public long recoverFromPeers() throws IOException {
      call("recover");
      calls.add("recover " + index + " " + address + " (published v" + state.layout().getVersion() + ")");
      return 5;
    }

    @Override
    public Map<String, Long> counters() throws IOException {
      call("stats");
      return counters.getOrDefault(index, Map.of());
    }

    @Override
    public void clock(ClockUpdate update) throws IOException {
      call("clock");
      calls.add("clock " + index + " w" + update.getWorker() + "=" + update.getClock() + (update.isLeaving() ? " leaving" : ""));
    }

    @Override
    public void close() {
    }
  }

  /** Three servers and three workers registered (layout version 1); server i on node<i>:700<i>. */
  private JobState running(int replication) {
    List<List<InputSplit>> train = List.of(List.of(), List.of(), List.of());
    JobState s = new JobState(3, 3, 8, Map.of("train", train), now::get, new JobState.Limits(replication, 3, 3));
    for (int i = 0; i < 3; i++) {
      s.launching(Role.SERVER, i, "s" + i, "node" + i, "");
      s.register(Role.SERVER, i, "s" + i, "node" + i, 7000 + i);
      s.launching(Role.WORKER, i, "w" + i, "node" + i, "");
      s.register(Role.WORKER, i, "w" + i, "node" + i, 0);
    }
    return s;
  }

  private RecoveryCoordinator coordinator(int replication, RecoveryCoordinator.Checkpoints checkpoints) {
    return new RecoveryCoordinator(state, replication, FakeServer::new, checkpoints);
  }

  private void replaceServer1() {
    state.containerCompleted("s1", ContainerExitStatus.ABORTED, "", "node lost");
    state.launching(Role.SERVER, 1, "s1b", "node9", "");
    state.register(Role.SERVER, 1, "s1b", "node9", 7900);
  }

  @Test
  void withReplicasTheSurvivorsGetTheNewLayoutThenTheReplacementCopiesThenItIsPublished() throws Exception {
    state = running(1);
    try (RecoveryCoordinator rc = coordinator(1, () -> {
      throw new AssertionError("no checkpoint is read with replicas");
    })) {
      state.containerCompleted("s1", 137, "", "killed");
      assertFalse(rc.runOnce(), "nothing to do before the replacement registered");
      assertTrue(calls.isEmpty());
      state.launching(Role.SERVER, 1, "s1b", "node9", "");
      state.register(Role.SERVER, 1, "s1b", "node9", 7900);
      notReadyOnce.add("recover 1");
      assertTrue(rc.runOnce());
      assertEquals(List.of("install 0 v2", "install 2 v2", "recover 1 node9:7900 (published v1)", "install 1 v2"),
          sorted(calls, 2));
      assertEquals(2, state.layout().getVersion());
      assertEquals("node9", state.layout().getServers().get(1).getHost());
      RecoveryView r = state.recoveries().get(0);
      assertEquals(Recovery.Status.DONE, r.status());
      assertTrue(r.restoredMs() > 0 && r.publishedMs() >= r.restoredMs(), r.toString());
      assertEquals(2, r.layoutVersion());
      assertEquals(Command.CONTINUE, state.heartbeatResponse(Role.WORKER, 0).getCommand(), "no rollback with replicas");
      assertFalse(rc.runOnce(), "done once");
    }
  }

  /** The ROLLBACK orders the workers' heartbeats received, by worker. */
  private final Map<Integer, HeartbeatResponse> orders = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Runs one recovery step while the running workers heartbeat as real ones do: a worker that gets
   * ROLLBACK drops its calls and echoes the rollback's id (recorded in {@link #calls} as "ack w<i>").
   */
  private boolean runOnceWithWorkers(RecoveryCoordinator rc) throws Exception {
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    Thread workers = new Thread(() -> {
      while (!done.get()) {
        for (int w = 0; w < 3; w++) {
          HeartbeatResponse r = state.heartbeatResponse(Role.WORKER, w);
          if (r.getCommand() == Command.ROLLBACK && !orders.containsKey(w)) {
            orders.put(w, r);
            calls.add("ack w" + w);
            state.heartbeat(Role.WORKER, w, 0, 0, Map.of(JobState.ROLLBACK_METRIC, (double) r.getRollbackId()));
          }
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    workers.start();
    try {
      return rc.runOnce();
    } finally {
      done.set(true);
      workers.join();
    }
  }

  /** Keeps the first {@code parallel} calls (made in parallel, any order) sorted, then the rest in order. */
  private static List<String> sorted(List<String> calls, int parallel) {
    List<String> out = new ArrayList<>(calls.subList(0, parallel));
    Collections.sort(out);
    out.addAll(calls.subList(parallel, calls.size()));
    return out;
  }

  @Test
  void withoutReplicasTheWorkersDropTheirCallsThenEveryServerRestoresTheNewestValidCheckpoint() throws Exception {
    state = running(0);
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRaw();
    Path root = new Path(tmp.toUri());
    writeCheckpoint(fs, root, 10);
    writeCheckpoint(fs, root, 20);
    Path corrupt = new Path(CheckpointFormat.dir(root, 20), CheckpointFormat.shardPath("w", 0));
    flipByteInTheMiddle(new java.io.File(corrupt.toUri()));
    state.finish(Role.WORKER, 2, true, "");
    state.heartbeat(Role.WORKER, 0, 33, 0.3, Map.of());
    try (RecoveryCoordinator rc = coordinator(0, () -> new CheckpointReader(fs).newestValid(root))) {
      replaceServer1();
      assertTrue(runOnceWithWorkers(rc));
    }
    // No push or clock update of the old parameters may reach a restored server: the running
    // workers acknowledge first, then the servers restore.
    assertEquals(List.of("ack w0", "ack w1"), sorted(calls.subList(0, 2), 2));
    String ckpt10 = CheckpointFormat.dirName(10);
    assertEquals(List.of("restore 0 " + ckpt10 + " v2", "restore 1 " + ckpt10 + " v2", "restore 2 " + ckpt10 + " v2"),
        sorted(calls.subList(2, 5), 3));
    // The finished worker's updates since clock 10 are gone with the servers' state: it runs again.
    assertEquals(5, calls.size(), "no clock update leaves the finished worker out: " + calls);
    assertEquals(Member.State.REQUESTED, state.member(Role.WORKER, 2).state, "the finished worker runs again");
    assertEquals(0, state.member(Role.WORKER, 2).failures, "not the job's fault");
    assertEquals(List.of(new JobState.Lost(Role.WORKER, 2, "w2")), state.checkLiveness(60_000, 600_000));
    assertEquals(2, state.layout().getVersion());
    HeartbeatResponse hb = orders.get(0);
    assertEquals(10, hb.getResumeClock());
    assertEquals(2, hb.getLayoutVersion());
    assertFalse(orders.containsKey(2), "a finished worker is not rolled back");
    assertEquals(Command.CONTINUE, state.heartbeatResponse(Role.WORKER, 0).getCommand(), "acknowledged");
    String events = String.valueOf(state.events().since(0));
    assertTrue(events.contains("checkpoint " + CheckpointFormat.dir(root, 20)) && events.contains("refused"), events);
    RecoveryView r = state.recoveries().get(0);
    assertEquals(10, r.checkpointClock());
    assertTrue(r.checkpoint().endsWith(ckpt10), r.checkpoint());
    assertEquals(Recovery.Status.DONE, r.status());
  }

  @Test
  void onceEveryWorkerFinishedARollbackLetsThemLeaveTheRestoredClockGroupInsteadOfRunningAgain() throws Exception {
    state = running(0);
    state.succeedAfterEndWork();
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRaw();
    Path root = new Path(tmp.toUri());
    writeCheckpoint(fs, root, 10);
    for (int w = 0; w < 3; w++) {
      state.finish(Role.WORKER, w, true, "");
    }
    assertTrue(state.workersDone(), "the end-of-job work (checkpoint) is running");
    try (RecoveryCoordinator rc = coordinator(0, () -> new CheckpointReader(fs).newestValid(root))) {
      replaceServer1();
      assertTrue(runOnceWithWorkers(rc));
    }
    assertEquals(3, calls.stream().filter(c -> c.startsWith("restore")).count(), calls.toString());
    assertEquals(List.of("clock 0 w0=10 leaving", "clock 0 w1=10 leaving", "clock 0 w2=10 leaving"),
        calls.stream().filter(c -> c.startsWith("clock 0")).sorted().toList());
    assertTrue(state.checkLiveness(60_000, 600_000).isEmpty(), "nobody runs again");
    assertEquals(Member.State.FINISHED, state.member(Role.WORKER, 1).state);
  }

  @Test
  void withoutAnyCheckpointTheServersRestartEmptyAtClockZero() throws Exception {
    state = running(0);
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRaw();
    Path root = new Path(tmp.toUri());
    try (RecoveryCoordinator rc = coordinator(0, () -> new CheckpointReader(fs).newestValid(root))) {
      replaceServer1();
      assertTrue(runOnceWithWorkers(rc));
    }
    assertEquals(List.of("restore 0 <empty> v2", "restore 1 <empty> v2", "restore 2 <empty> v2"),
        sorted(calls.subList(3, 6), 3));
    assertEquals(0, orders.get(1).getResumeClock());
  }

  @Test
  void moreServersLostThanCopiesRollsBackEvenWithReplicas() throws Exception {
    state = running(1);
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRaw();
    Path root = new Path(tmp.toUri());
    writeCheckpoint(fs, root, 8);
    state.containerCompleted("s2", 137, "", "killed");
    state.launching(Role.SERVER, 2, "s2b", "node8", "");
    state.register(Role.SERVER, 2, "s2b", "node8", 7800);
    try (RecoveryCoordinator rc = coordinator(1, () -> new CheckpointReader(fs).newestValid(root))) {
      replaceServer1();
      assertTrue(runOnceWithWorkers(rc));
    }
    String ckpt = CheckpointFormat.dirName(8);
    assertEquals(List.of("restore 0 " + ckpt + " v2", "restore 1 " + ckpt + " v2", "restore 2 " + ckpt + " v2"),
        sorted(calls.subList(3, 6), 3));
    assertEquals(8, orders.get(0).getResumeClock());
  }

  @Test
  void aFailedCallFailsTheJobNamingTheServer() throws Exception {
    state = running(1);
    failing.add("recover 1");
    try (RecoveryCoordinator rc = coordinator(1, () -> null)) {
      replaceServer1();
      assertFalse(rc.runOnce());
    }
    assertEquals(JobState.Outcome.FAILED, state.outcome());
    assertTrue(state.diagnostics().contains("server 1 (node9:7900) unreachable for recover"), state.diagnostics());
    assertEquals(1, state.layout().getVersion(), "nothing published");
  }

  @Test
  void aReplacementWorkerResumesAtTheSlowestServersClockForIt() throws Exception {
    state = running(1);
    counters.put(0, Map.of("worker_clock_1", 9L, "worker_clock_0", 2L));
    counters.put(1, Map.of("worker_clock_1", 7L));
    counters.put(2, Map.of("worker_clock_1", 8L));
    state.heartbeat(Role.WORKER, 1, 12, 0.5, Map.of());
    try (RecoveryCoordinator rc = coordinator(1, () -> null)) {
      assertEquals(7, rc.workerResumeClock(1));
      failing.add("stats 2");
      counters.put(1, Map.of("worker_clock_1", 20L));
      assertEquals(9, rc.workerResumeClock(1), "a server that cannot answer: the last heartbeat clock counts too");
      state.heartbeat(Role.WORKER, 1, 6, 0.5, Map.of());
      assertEquals(6, rc.workerResumeClock(1));
    }
  }

  @Test
  void aNewAttemptInstallsALayoutAboveEveryOldOneOnEveryServer() throws Exception {
    List<List<InputSplit>> train = List.of(List.of());
    state = new JobState(2, 1, 8, Map.of("train", train), now::get, new JobState.Limits(1, 3, 3));
    state.adopt(List.of("s0", "s1", "w0"));
    state.register(Role.SERVER, 0, "s0", "node0", 7000, 4, 0);
    state.register(Role.SERVER, 1, "s1", "node1", 7001, 4, 0);
    state.register(Role.WORKER, 0, "w0", "node0", 0, 4, 17);
    try (RecoveryCoordinator rc = coordinator(1, () -> null)) {
      assertFalse(rc.runOnce(), "waits for the takeover to end");
      assertTrue(state.adoptedAllBack());
      assertTrue(state.endTakeover().isEmpty());
      assertTrue(rc.runOnce());
    }
    assertEquals(List.of("install 0 v5", "install 1 v5"), sorted(calls, 2));
    assertEquals(5, state.layout().getVersion());
  }

  private static void writeCheckpoint(FileSystem fs, Path root, long clock) throws IOException {
    TableSpec spec = new TableSpec("w", 1, UpdaterKind.ADD, Initializer.Spec.parse("zero"), 0.05, 0, 0, 0.1, 1, 1e-6);
    CheckpointManifest.TableEntry table = CheckpointManifest.TableEntry.of(spec);
    KeyLayout layout = new KeyLayout(1, new long[] {0}, new int[] {0}, 1);
    Path dir = CheckpointFormat.dir(root, clock);
    ShardHeader h = new ShardHeader(clock, "w", 0, 0, 0, table.width(), table.stride(), table.updater());
    CheckpointManifest.ShardEntry shard;
    try (ShardWriter w = ShardWriter.create(fs, dir, h)) {
      float[] row = new float[table.stride()];
      for (long key = 1; key <= 1000; key++) {
        row[0] = key * 0.5f + clock;
        w.write(key * 0x9E3779B97F4A7C15L, row, 0);
      }
      shard = w.finish();
    }
    new CheckpointManifest(clock, 1_700_000_000_000L + clock, layout, List.of(table), List.of(shard)).commit(fs, dir);
  }

  private static void flipByteInTheMiddle(java.io.File f) throws IOException {
    assertTrue(Files.size(f.toPath()) > 100, f + " is too small");
    try (RandomAccessFile raf = new RandomAccessFile(f, "rw")) {
      long at = raf.length() / 2;
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x10);
    }
  }
}
