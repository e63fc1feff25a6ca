package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yarnps.checkpoint.Checkpoint;
import yarnps.checkpoint.CheckpointFormat;
import yarnps.checkpoint.CheckpointManifest;
import yarnps.checkpoint.CheckpointReader;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.thrift.InputSplit;
import yarnps.thrift.Layout;
import yarnps.thrift.Role;

/**
 * The checkpoint coordinator against fake servers that write real shards on the local file
 * system: the manifest, the triggers, pruning, and the failure paths.
 */
class CheckpointCoordinatorTest {
  @TempDir
  java.nio.file.Path tmp;

  private final Configuration conf = new Configuration(false);
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final AtomicLong slowest = new AtomicLong(0);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private volatile String notReady;
  private FileSystem fs;
  private Path root;
  private FakeCheckpointServers servers;
  private CheckpointCoordinator coordinator;

  @BeforeEach
  void setUp() throws IOException {
    conf.set(PsKeys.TABLES.name(), "w,v");
    conf.set("yarnps.table.w.updater", "ftrl");
    conf.set("yarnps.table.v.width", "4");
    conf.set("yarnps.table.v.updater", "sgd");
    conf.set(PsKeys.CHECKPOINT_INTERVAL_SEC.name(), "0");
    fs = FileSystem.getLocal(new Configuration());
    root = new Path(tmp.toUri().toString(), "checkpoints");
  }

  @AfterEach
  void tearDown() {
    if (servers != null) {
      servers.release();
    }
    if (coordinator != null) {
      coordinator.close();
    }
  }

  private List<CheckpointManifest.TableEntry> tables() {
    return TableSpec.allFromConf(conf).stream().map(CheckpointManifest.TableEntry::of).toList();
  }

  private CheckpointCoordinator coordinator(boolean realClock) {
    servers = new FakeCheckpointServers(fs, tables(), 500);
    Layout layout = FakeCheckpointServers.thriftLayout();
    CheckpointCoordinator.Job job = new CheckpointCoordinator.Job() {
      @Override
      public Layout layout() {
        return layout;
      }

      @Override
      public String notReady() {
        return notReady;
      }

      @Override
      public long slowestWorkerClock() {
        return slowest.get();
      }

      @Override
      public void event(EventLog.Kind kind, String text) {
        events.add(kind + " " + text);
      }
    };
    coordinator = new CheckpointCoordinator(conf, fs, root, servers, job,
        realClock ? System::currentTimeMillis : now::get, 0, 5);
    return coordinator;
  }

  private static void waitFor(BooleanSupplier check, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!check.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void checkpointHoldsEveryServersRowsAtTheLargestPreparedClockWithTheManifestWrittenLast() throws Exception {
    CheckpointCoordinator c = coordinator(true);
    servers.maxClockSeen[0] = 7;
    servers.maxClockSeen[1] = 9;
    CheckpointCoordinator.Result r = c.takeNow("test");
    assertTrue(r.committed(), r.message());
    assertEquals(10, r.clock());
    assertFalse(servers.manifestSeenEarly);
    Checkpoint ckpt = new CheckpointReader(fs).open(CheckpointFormat.dir(root, 10));
    ckpt.verify(Checkpoint.Verification.FULL);
    CheckpointManifest m = ckpt.manifest();
    assertEquals(10, m.clock());
    assertEquals(tables(), m.tables());
    assertEquals(FakeCheckpointServers.LAYOUT.numRanges(), m.layout().numRanges());
    assertEquals(FakeCheckpointServers.LAYOUT.version(), m.layout().version());
    for (String table : List.of("w", "v")) {
      Map<Long, float[]> read = new HashMap<>();
      for (CheckpointManifest.ShardEntry s : m.shardsOf(table)) {
        ckpt.readShard(s, (key, row) -> read.put(key, row.clone()));
      }
      assertEquals(servers.rows.get(table).size(), read.size());
      servers.rows.get(table).forEach((k, v) -> assertArrayEquals(v, read.get(k), "row of key " + k));
    }
    assertEquals(m.totalRows(), r.rows());
    assertEquals(m.totalBytes(), r.bytes());
    assertEquals(r.rows(), r.perServer().get(0)[0] + r.perServer().get(1)[0]);
    assertTrue(events.stream().anyMatch(e -> e.startsWith("INFO checkpoint at clock 10 committed")), events.toString());
    assertEquals(r, c.lastCommitted());
  }

  @Test
  void aFailingServerAbortsTheCheckpointEverywhereAndNoManifestIsWritten() throws Exception {
    CheckpointCoordinator c = coordinator(true);
    servers.maxClockSeen[0] = 4;
    servers.failing = 1;
    CheckpointCoordinator.Result r = c.takeNow("test");
    assertFalse(r.committed());
    assertFalse(r.skipped());
    assertTrue(r.message().contains("server 1: disk full"), r.message());
    assertEquals(List.of(0, 1), new ArrayList<>(new java.util.TreeSet<>(servers.aborts.keySet())));
    assertFalse(fs.exists(new Path(CheckpointFormat.dir(root, 5), CheckpointFormat.MANIFEST)));
    assertTrue(new CheckpointReader(fs).list(root).isEmpty());
    assertNull(c.lastCommitted());
    assertTrue(events.stream().anyMatch(e -> e.startsWith("WARN checkpoint at clock 5") && e.contains("disk full")),
        events.toString());
  }

  @Test
  void aServerThatDoesNotAnswerInTimeAbortsTheCheckpoint() throws Exception {
    conf.set(PsKeys.CHECKPOINT_TIMEOUT_MS.name(), "1000");
    CheckpointCoordinator c = coordinator(true);
    servers.hanging = 0;
    CheckpointCoordinator.Result r = c.takeNow("test");
    assertFalse(r.committed());
    assertTrue(r.message().contains("server 0 did not answer checkpoint within yarnps.checkpoint.timeout.ms=1000"),
        r.message());
    assertEquals(2, servers.aborts.size());
    assertTrue(new CheckpointReader(fs).list(root).isEmpty());
  }

  @Test
  void pruningKeepsTheNewestCheckpoints() throws Exception {
    conf.set(PsKeys.CHECKPOINT_KEEP.name(), "2");
    CheckpointCoordinator c = coordinator(true);
    for (int i = 1; i <= 4; i++) {
      servers.maxClockSeen[1] = 10L * i;
      assertTrue(c.takeNow("test").committed());
    }
    List<Long> clocks = new CheckpointReader(fs).scan(root).stream().map(CheckpointReader.CheckpointDir::clock).toList();
    assertEquals(List.of(41L, 31L), clocks);
    assertEquals(4, c.committed());
  }

  @Test
  void anExistingCompleteCheckpointIsKeptAndAnIncompleteOneRewritten() throws Exception {
    CheckpointCoordinator c = coordinator(true);
    servers.maxClockSeen[0] = 2;
    Path dir = CheckpointFormat.dir(root, 3);
    Path junk = new Path(dir, "w/00000.shard");
    fs.create(junk).close();
    assertTrue(c.takeNow("first").committed());
    Checkpoint ckpt = new CheckpointReader(fs).open(dir);
    ckpt.verify(Checkpoint.Verification.FULL);
    long manifestTime = fs.getFileStatus(new Path(dir, CheckpointFormat.MANIFEST)).getModificationTime();
    servers.aborts.clear();
    CheckpointCoordinator.Result again = c.takeNow("second");
    assertTrue(again.skipped());
    assertEquals(3, again.clock());
    assertEquals(2, servers.aborts.size(), "servers released after the cut");
    assertEquals(manifestTime, fs.getFileStatus(new Path(dir, CheckpointFormat.MANIFEST)).getModificationTime());
    assertEquals(1, c.committed());
  }

  @Test
  void clockIntervalFollowsTheSlowestWorker() throws Exception {
    conf.set(PsKeys.CHECKPOINT_INTERVAL_CLOCKS.name(), "5");
    CheckpointCoordinator c = coordinator(true);
    slowest.set(4);
    assertNull(c.dueTrigger());
    slowest.set(5);
    assertTrue(c.dueTrigger().startsWith("every 5 clocks"), c.dueTrigger());
    servers.maxClockSeen[0] = 6;
    assertEquals(7, c.takeNow("test").clock());
    slowest.set(11);
    assertNull(c.dueTrigger(), "next one 5 clocks after the cut at 7");
    slowest.set(12);
    assertTrue(c.dueTrigger().startsWith("every 5 clocks"));
    // Before the thread starts: it may prepare at once, and must see the servers at clock 12.
    servers.maxClockSeen[0] = 12;
    c.start();
    waitFor(() -> c.committed() == 2, "the thread's checkpoint");
    assertEquals(13, c.lastCommitted().clock());
  }

  @Test
  void timeIntervalTriggersOnTheClock() throws Exception {
    conf.set(PsKeys.CHECKPOINT_INTERVAL_SEC.name(), "60");
    CheckpointCoordinator c = coordinator(false);
    now.addAndGet(59_999);
    assertNull(c.dueTrigger());
    now.addAndGet(1);
    assertEquals("every 60 s", c.dueTrigger());
    c.takeNow("test");
    assertNull(c.dueTrigger());
    now.addAndGet(60_000);
    assertEquals("every 60 s", c.dueTrigger());
  }

  @Test
  void onDemandRequestIsTakenByTheThreadAndRefusedWhenTheJobIsNotReady() throws Exception {
    CheckpointCoordinator c = coordinator(true);
    notReady = "the job is not running (FAILED)";
    assertEquals("no checkpoint: the job is not running (FAILED)", c.requestNow("user"));
    assertNull(c.dueTrigger());
    notReady = null;
    String answer = c.requestNow("user alice");
    assertTrue(answer.startsWith("checkpoint requested"), answer);
    assertTrue(answer.contains(root.toUri().getPath()), answer);
    assertTrue(c.requestNow("again").startsWith("a checkpoint was already requested (user alice)"));
    c.start();
    waitFor(() -> c.committed() == 1, "the requested checkpoint");
    assertEquals("on demand (user alice)", c.lastCommitted().reason());
  }

  @Test
  void endCheckpointIsTakenOnceAndStopsTheTriggers() throws Exception {
    conf.set(PsKeys.CHECKPOINT_INTERVAL_CLOCKS.name(), "1");
    CheckpointCoordinator c = coordinator(true);
    servers.maxClockSeen[1] = 20;
    CheckpointCoordinator.Result r = c.atEnd();
    assertTrue(r.committed(), r.message());
    assertEquals("end of job", r.reason());
    assertEquals(21, r.clock());
    slowest.set(100);
    assertNull(c.dueTrigger());
    assertTrue(c.requestNow("late").startsWith("no checkpoint: the job is ending"));
  }

  @Test
  void noEndCheckpointWhenSwitchedOff() throws Exception {
    conf.set(PsKeys.CHECKPOINT_AT_END.name(), "false");
    CheckpointCoordinator c = coordinator(true);
    assertNull(c.atEnd());
    assertTrue(servers.calls.isEmpty());
  }

  /** A ParameterService answering the checkpoint calls of one server of {@code fake}; others throw. */
  private static yarnps.thrift.ParameterService.Iface serverOf(FakeCheckpointServers fake, int index) {
    return (yarnps.thrift.ParameterService.Iface) java.lang.reflect.Proxy.newProxyInstance(
        yarnps.thrift.ParameterService.Iface.class.getClassLoader(),
        new Class<?>[] {yarnps.thrift.ParameterService.Iface.class}, (proxy, method, args) -> {
          try {
            return switch (method.getName()) {
              case "checkpointPrepare" -> fake.prepare(index, (Long) args[0]);
              case "checkpoint" -> fake.checkpoint(index, (Long) args[0], (Long) args[1], (String) args[2]);
              case "checkpointAbort" -> {
                fake.abort(index, (Long) args[0]);
                yield null;
              }
              default -> throw new UnsupportedOperationException(method.getName());
            };
          } catch (IOException e) {
            throw yarnps.rpc.Errors.internal(method.getName(), e);
          }
        });
  }

  @Test
  void theAmsServerControlsCarryTheProtocolOverRealSockets() throws Exception {
    conf.set(PsKeys.CHECKPOINT_TIMEOUT_MS.name(), "3000");
    FakeCheckpointServers fake = new FakeCheckpointServers(fs, tables(), 200);
    servers = fake;
    List<yarnps.rpc.Rpc.Server> rpc = new ArrayList<>();
    try {
      List<yarnps.thrift.ServerAddress> addrs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        yarnps.rpc.Rpc.Server srv = yarnps.rpc.Rpc.startServer("fake-ps-" + i,
            new yarnps.thrift.ParameterService.Processor<>(serverOf(fake, i)), 0, 1 << 20, 4);
        rpc.add(srv);
        addrs.add(new yarnps.thrift.ServerAddress(i, "127.0.0.1", srv.port()));
      }
      Layout layout = new Layout(FakeCheckpointServers.LAYOUT.version(), FakeCheckpointServers.LAYOUT.toThriftRanges(),
          addrs);
      CheckpointCoordinator.Job job = new CheckpointCoordinator.Job() {
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
          events.add(kind + " " + text);
        }
      };
      coordinator = new CheckpointCoordinator(conf, fs, root, new ServerControls(() -> layout, 5000), job,
          System::currentTimeMillis, 0, 5);
      fake.maxClockSeen[1] = 5;
      CheckpointCoordinator.Result ok = coordinator.takeNow("sockets");
      assertTrue(ok.committed(), ok.message());
      new CheckpointReader(fs).open(CheckpointFormat.dir(root, 6)).verify(Checkpoint.Verification.FULL);
      fake.maxClockSeen[1] = 9;
      fake.hanging = 1;
      CheckpointCoordinator.Result late = coordinator.takeNow("sockets, server 1 stuck");
      assertFalse(late.committed());
      assertTrue(late.message().contains("server 1 did not answer checkpoint"), late.message());
      assertEquals(2, fake.aborts.size(), "the abort reached the stuck server on a connection of its own");
      fake.hanging = -1;
      fake.failing = 0;
      CheckpointCoordinator.Result failed = coordinator.takeNow("sockets, server 0 fails");
      assertTrue(failed.message().contains("server 0: disk full"), failed.message());
      assertEquals(List.of(6L), new CheckpointReader(fs).list(root).stream().map(CheckpointReader.CheckpointDir::clock)
          .toList());
    } finally {
      fake.release();
      rpc.forEach(yarnps.rpc.Rpc.Server::stop);
    }
  }

  @Test
  void trackingPageShowsTheLastCheckpointPerServerAndTheList() throws Exception {
    CheckpointCoordinator c = coordinator(true);
    servers.maxClockSeen[0] = 41;
    CheckpointCoordinator.Result r = c.takeNow("test");
    JobState state = new JobState(2, 1, 8, Map.of("train", List.of(List.of(new InputSplit("a", 0, 1, false)))), now::get);
    StatusView view = new StatusView(state, new Telemetry(state, now::get, 1000),
        new JobInfo("application_1_0001", "lr", "u", "q", "c", "ctr", "h", "", "http://"), now::get);
    ObjectMapper json = new ObjectMapper();
    assertTrue(json.readTree(view.servers()).get("servers").get(0).get("last_checkpoint").isNull());
    view.checkpoints(c);
    JsonNode servers0 = json.readTree(view.servers()).get("servers").get(0);
    assertEquals(StatusView.describe(42, r.perServer().get(0)[0], r.perServer().get(0)[1], r.durationMs()),
        servers0.get("last_checkpoint").asText());
    JsonNode status = json.readTree(view.status());
    assertEquals(1, status.get("checkpoints").asLong());
    assertTrue(status.get("last_checkpoint").asText().startsWith("clock 42: " + r.rows() + " rows"));
    JsonNode list = json.readTree(view.checkpoints()).get("checkpoints");
    assertEquals(1, list.size());
    assertEquals("committed", list.get(0).get("outcome").asText());
    assertEquals(r.bytes(), list.get(0).get("bytes").asLong());
    assertEquals(2, list.get(0).get("servers").size());
    assertTrue(Files.isDirectory(tmp.resolve("checkpoints").resolve(CheckpointFormat.dirName(42))));
  }
}
