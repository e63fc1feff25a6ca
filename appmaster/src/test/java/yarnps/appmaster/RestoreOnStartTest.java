package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yarnps.checkpoint.CheckpointFormat;
import yarnps.checkpoint.CheckpointManifest;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.thrift.InputSplit;
import yarnps.thrift.Layout;
import yarnps.thrift.PsError;
import yarnps.thrift.RegisterRequest;
import yarnps.thrift.RegisterResponse;
import yarnps.thrift.Role;

/** Starting from a checkpoint, the end-of-job hold, and the Coordinator's checkpoint request. */
class RestoreOnStartTest {
  @TempDir
  java.nio.file.Path tmp;

  private final Configuration conf = new Configuration(false);
  private FileSystem fs;
  private Path root;

  @BeforeEach
  void setUp() throws IOException {
    conf.set(PsKeys.TABLES.name(), "w");
    conf.set(PsKeys.CHECKPOINT_INTERVAL_SEC.name(), "0");
    fs = FileSystem.getLocal(new Configuration());
    root = new Path(tmp.toUri().toString(), "checkpoints");
  }

  private FakeCheckpointServers servers() {
    return new FakeCheckpointServers(fs,
        TableSpec.allFromConf(conf).stream().map(CheckpointManifest.TableEntry::of).toList(), 100);
  }

  /** A real checkpoint at clock 8 under root, written through the coordinator. */
  private Path checkpointAt8() throws Exception {
    FakeCheckpointServers s = servers();
    s.maxClockSeen[0] = 7;
    Layout layout = FakeCheckpointServers.thriftLayout();
    try (CheckpointCoordinator c = new CheckpointCoordinator(conf, fs, root, s, job(layout), System::currentTimeMillis,
        0, 5)) {
      assertTrue(c.takeNow("test").committed());
    }
    return CheckpointFormat.dir(root, 8);
  }

  private static CheckpointCoordinator.Job job(Layout layout) {
    return new CheckpointCoordinator.Job() {
      @Override
      public Layout layout() {
        return layout;
      }

      @Override
      public String notReady() {
        return null;
      }

      @Override
      public long slowestWorkerClock() {
        return 0;
      }

      @Override
      public void event(EventLog.Kind kind, String text) {
      }
    };
  }

  private static JobState state(int servers, int workers) {
    List<List<InputSplit>> train = java.util.Collections.nCopies(workers, List.of(new InputSplit("a", 0, 1, false)));
    return new JobState(servers, workers, 8, Map.of("train", train), System::currentTimeMillis);
  }

  @Test
  void workersRegistrationWaitsForTheRestoreAndStartsAtTheCheckpointsClock() throws Exception {
    Path dir = checkpointAt8();
    conf.set(PsKeys.RESTORE_FROM.name(), dir.toString());
    RestoreOnStart restore = RestoreOnStart.open(conf);
    assertEquals(8, restore.clock());
    JobState state = state(2, 1);
    CoordinatorHandler handler = new CoordinatorHandler(state, null, restore);
    FakeCheckpointServers s = servers();
    java.util.concurrent.atomic.AtomicInteger restoredWhenRegistered = new java.util.concurrent.atomic.AtomicInteger(-1);
    CompletableFuture<RegisterResponse> worker = CompletableFuture.supplyAsync(() -> {
      try {
        RegisterResponse resp = handler.registerContainer(new RegisterRequest(Role.WORKER, 0, "cw", "h", 0));
        restoredWhenRegistered.set(s.calls.size());
        return resp;
      } catch (PsError e) {
        throw new IllegalStateException(e);
      }
    });
    assertFalse(restore.done());
    assertTrue(restore.claim());
    assertFalse(restore.claim(), "claimed once");
    assertEquals(30, restore.run(FakeCheckpointServers.thriftLayout(), s));
    RegisterResponse r = worker.get(30, TimeUnit.SECONDS);
    assertTrue(r.isSetResumeClock());
    assertEquals(8, r.getResumeClock());
    assertEquals(2, restoredWhenRegistered.get(), "the worker's registration returned before every server was restored");
    String qualified = fs.makeQualified(dir).toString();
    assertTrue(s.calls.contains("restore 0 " + qualified + " v3"), s.calls.toString());
    assertTrue(s.calls.contains("restore 1 " + qualified + " v3"), s.calls.toString());
    RegisterResponse server = handler.registerContainer(new RegisterRequest(Role.SERVER, 0, "cs", "h", 1));
    assertFalse(server.isSetResumeClock());
  }

  @Test
  void aFailedRestoreRefusesTheWorkersNamingTheServer() throws Exception {
    conf.set(PsKeys.RESTORE_FROM.name(), checkpointAt8().toString());
    RestoreOnStart restore = RestoreOnStart.open(conf);
    FakeCheckpointServers s = servers();
    s.failing = 1;
    IOException e = assertThrows(IOException.class, () -> restore.run(FakeCheckpointServers.thriftLayout(), s));
    assertTrue(e.getMessage().contains("on server 1 failed: server 1: shard unreadable"), e.getMessage());
    CoordinatorHandler handler = new CoordinatorHandler(state(2, 1), null, restore);
    PsError refused = assertThrows(PsError.class,
        () -> handler.registerContainer(new RegisterRequest(Role.WORKER, 0, "cw", "h", 0)));
    assertTrue(refused.getMessage().contains("could not be restored"), refused.getMessage());
  }

  @Test
  void openRefusesADirectoryWithoutManifestOrWithACorruptShard() throws Exception {
    Path dir = checkpointAt8();
    conf.set(PsKeys.RESTORE_FROM.name(), root.toString());
    IOException e = assertThrows(IOException.class, () -> RestoreOnStart.open(conf));
    assertTrue(e.getMessage().contains("is not a checkpoint"), e.getMessage());
    fs.delete(new Path(dir, "w/00001.shard"), false);
    conf.set(PsKeys.RESTORE_FROM.name(), dir.toString());
    e = assertThrows(IOException.class, () -> RestoreOnStart.open(conf));
    assertTrue(e.getMessage().contains("w/00001.shard"), e.getMessage());
    conf.set(PsKeys.RESTORE_FROM.name(), "");
    assertNull(RestoreOnStart.open(conf));
  }

  @Test
  void successWaitsForTheEndWorkWhenAsked() {
    JobState s = state(1, 2);
    s.succeedAfterEndWork();
    s.finish(Role.WORKER, 0, true, "");
    assertFalse(s.workersDone());
    s.finish(Role.WORKER, 1, true, "");
    assertTrue(s.workersDone());
    assertEquals(JobState.Outcome.RUNNING, s.outcome());
    s.succeed();
    assertEquals(JobState.Outcome.SUCCEEDED, s.outcome());
    assertFalse(s.workersDone());
  }

  @Test
  void theCoordinatorSeesTheSlowestRunningWorkerAndWhyNoCheckpointCanBeTaken() throws Exception {
    JobState s = state(1, 3);
    conf.set(PsKeys.RESTORE_FROM.name(), checkpointAt8().toString());
    RestoreOnStart restore = RestoreOnStart.open(conf);
    CheckpointJob job = new CheckpointJob(s, () -> restore);
    assertEquals("the servers have not all registered yet", job.notReady());
    s.register(Role.SERVER, 0, "cs", "h", 1);
    assertTrue(job.notReady().startsWith("the servers are being restored from "), job.notReady());
    restore.run(s.layout(), servers());
    assertNull(job.notReady());
    s.heartbeat(Role.WORKER, 0, 12, 0, Map.of());
    s.heartbeat(Role.WORKER, 1, 9, 0, Map.of());
    s.heartbeat(Role.WORKER, 2, 15, 0, Map.of());
    assertEquals(9, job.slowestWorkerClock());
    s.finish(Role.WORKER, 1, true, "");
    assertEquals(12, job.slowestWorkerClock(), "a finished worker no longer holds the interval back");
    s.finish(Role.WORKER, 0, true, "");
    s.finish(Role.WORKER, 2, true, "");
    assertEquals(-1, job.slowestWorkerClock());
    assertEquals("the job is not running (SUCCEEDED)", job.notReady());
  }

  @Test
  void requestCheckpointAnswersWithASentence() throws Exception {
    assertEquals("no checkpoint: this ApplicationMaster takes no checkpoints",
        new CoordinatorHandler(state(1, 1)).requestCheckpoint("x"));
    try (CheckpointCoordinator c = new CheckpointCoordinator(conf, fs, root, servers(),
        job(FakeCheckpointServers.thriftLayout()), System::currentTimeMillis, 0, 5)) {
      String answer = new CoordinatorHandler(state(1, 1), c, null).requestCheckpoint("from the client");
      assertTrue(answer.startsWith("checkpoint requested"), answer);
      assertEquals("on demand (from the client)", c.dueTrigger());
    }
  }
}
