package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import yarnps.thrift.InputSplit;
import yarnps.thrift.Role;

/** The API's documents, from a job driven through {@link JobState} with a fake clock. */
class StatusViewTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AtomicLong now = new AtomicLong(1_000_000);
  private JobState state;
  private Telemetry telemetry;
  private StatusView view;

  @BeforeEach
  void job() {
    List<List<InputSplit>> train = List.of(List.of(new InputSplit("a", 0, 10, false)), List.of(new InputSplit("b", 0, 5, false)));
    state = new JobState(2, 2, 8, Map.of("train", train), now::get, new JobState.Limits(0, 0, 0));
    telemetry = new Telemetry(state, now::get, 1000);
    JobInfo info = new JobInfo("application_1_0001", "lr", "alice", "default", "eventual (ASP)",
        "container_1_0001_01_000001", "am-host", "nm:8042", "http://");
    view = new StatusView(state, telemetry, info, now::get);
    for (int i = 0; i < 2; i++) {
      state.launching(Role.SERVER, i, "container_s" + i, "node" + i, "node" + i + ":8042");
      state.launching(Role.WORKER, i, "container_w" + i, "node" + i, "node" + i + ":8042");
    }
    for (int i = 0; i < 2; i++) {
      state.register(Role.SERVER, i, "container_s" + i, "node" + i, 7000 + i);
      state.register(Role.WORKER, i, "container_w" + i, "node" + i, 0);
    }
  }

  private static JsonNode parse(String json) throws Exception {
    return JSON.readTree(json);
  }

  private void serverBeat(int server, double pushes, double pulls) {
    state.heartbeat(Role.SERVER, server, 0, 0, Map.of("keys", 1000.0 * (server + 1), "memory_bytes", 65536.0,
        "pushes", pushes, "pulls", pulls, "bytes_in", pushes * 100, "bytes_out", pulls * 50));
  }

  @Test
  void serversShowRangesKeysAndRatesFromHeartbeatCounters() throws Exception {
    serverBeat(0, 100, 100);
    serverBeat(1, 0, 0);
    now.addAndGet(2_000);
    serverBeat(0, 500, 300);
    serverBeat(1, 200, 200);
    JsonNode servers = parse(view.servers()).get("servers");
    assertEquals(2, servers.size());
    JsonNode s0 = servers.get(0);
    assertEquals("REGISTERED", s0.get("state").asText());
    assertEquals("container_s0", s0.get("container").asText());
    assertEquals(1000, s0.get("keys").asDouble());
    assertEquals(200, s0.get("pushes_per_sec").asDouble(), 1e-9);
    assertEquals(100, s0.get("pulls_per_sec").asDouble(), 1e-9);
    assertEquals(20_000, s0.get("bytes_in_per_sec").asDouble(), 1e-9);
    assertEquals("http://node0:8042/node/containerlogs/container_s0/alice", s0.get("logs").asText());
    assertTrue(s0.get("last_checkpoint").isNull());
    double share = 0;
    int ranges = 0;
    for (JsonNode s : servers) {
      share += s.get("key_share").asDouble();
      ranges += s.get("key_ranges").asInt();
      assertEquals(s.get("key_ranges").asInt(), s.get("ranges").size());
    }
    assertEquals(1.0, share, 1e-9, "the servers' ranges cover the key space");
    assertEquals(state.layout().getRangesSize(), ranges);

    assertTrue(telemetry.maybeSample());
    assertEquals(false, telemetry.maybeSample(), "one sample per interval");
    JsonNode tput = parse(view.metrics(0, 0)).get("throughput");
    assertEquals(1, tput.size());
    assertEquals(300, tput.get(0).get("pushes_per_sec").asDouble(), 1e-9);
    assertEquals(200, tput.get(0).get("pulls_per_sec").asDouble(), 1e-9);
  }

  @Test
  void workersShowClockExamplesRateAndLastLoss() throws Exception {
    state.heartbeat(Role.WORKER, 0, 40, 0.25, Map.of("examples", 5000.0, "examples_trained", 12_000.0,
        "examples_per_sec", 3000.0));
    state.report(0, 20, Map.of("train_logloss", 0.6), false, null);
    state.report(0, 40, Map.of("train_logloss", 0.5), false, null);
    state.report(0, 40, Map.of("test_logloss", 0.55, "test_auc", 0.7), false, null);
    state.report(1, 10, Map.of("train_logloss", 0.7), false, null);
    JsonNode w = parse(view.workers()).get("workers");
    assertEquals(40, w.get(0).get("clock").asLong());
    assertEquals(12_000, w.get(0).get("examples").asDouble(), "examples trained so far, not per epoch");
    assertEquals(3000, w.get(0).get("examples_per_sec").asDouble());
    assertEquals("train_logloss", w.get(0).get("loss_metric").asText());
    assertEquals(0.5, w.get(0).get("last_loss").asDouble(), "a test report does not hide the training loss");
    assertEquals(0.7, w.get(1).get("last_loss").asDouble());

    JsonNode status = parse(view.status());
    assertEquals("RUNNING", status.get("state").asText());
    assertEquals("alice", status.get("user").asText());
    assertEquals("eventual (ASP)", status.get("consistency").asText());
    assertEquals(0.6, status.get("loss").get("mean").asDouble(), 1e-9);
    assertEquals(0.7, status.get("test").get("test_auc").asDouble(), 1e-9);
    assertEquals(40, status.get("clock").get("max").asLong());
    assertEquals(2, status.get("servers").get("registered").asInt());
    assertEquals("http://nm:8042/node/containerlogs/container_1_0001_01_000001/alice",
        status.get("am").get("logs").asText());

    JsonNode m = parse(view.metrics(0, 0));
    assertEquals(4, m.get("series").size());
    long next = m.get("series_next").asLong();
    state.report(1, 20, Map.of("train_logloss", 0.65), false, null);
    JsonNode more = parse(view.metrics(next, 0));
    assertEquals(1, more.get("series").size(), "only what is new");
    assertEquals(20, more.get("series").get(0).get("clock").asLong());
  }

  @Test
  void eventsTellWhatHappenedAndTheElapsedTimeStopsAtTheEnd() throws Exception {
    now.addAndGet(5_000);
    state.containerCompleted("container_s1", 137, "Killed", "killed");
    JsonNode events = parse(view.events(0)).get("events");
    StringBuilder all = new StringBuilder();
    events.forEach(e -> all.append(e.get("kind").asText()).append(' ').append(e.get("text").asText()).append('\n'));
    assertTrue(all.toString().contains("server 0 registered from node0:7000"), all.toString());
    assertTrue(all.toString().contains("layout version 1 built"), all.toString());
    assertTrue(all.toString().contains("ERROR server 1 lost: container container_s1 on node1 exited exit 137"), all.toString());
    assertTrue(all.toString().contains("ERROR job failed"), all.toString());
    state.fail("a later failure");
    assertTrue(view.events(0).contains("\"kind\":\"WARN\",\"text\":\"then: a later failure\""), view.events(0));
    long next = parse(view.events(0)).get("next").asLong();
    assertEquals(0, parse(view.events(next)).get("events").size());

    JsonNode status = parse(view.status());
    assertEquals("FAILED", status.get("state").asText());
    assertEquals(5_000, status.get("elapsed_ms").asLong());
    now.addAndGet(60_000);
    assertEquals(5_000, parse(view.status()).get("elapsed_ms").asLong(), "a finished job's time does not run on");
    String diag = parse(view.servers()).get("servers").get(1).get("diagnostics").asText();
    assertTrue(diag.contains("container_s1 on node1 exited exit 137"), diag);
  }

  @Test
  void recoveriesListTheStepTimesOfEachReplacement() throws Exception {
    assertEquals(0, parse(view.recoveries()).get("recoveries").size());
    now.set(10_000);
    state.containerCompleted("container_s1", ContainerExitStatus.PREEMPTED, "", "preempted");
    now.set(10_400);
    state.launching(Role.SERVER, 1, "container_s1b", "node5", "");
    now.set(11_000);
    state.register(Role.SERVER, 1, "container_s1b", "node5", 7100);
    now.set(11_500);
    state.restored(1, 42);
    now.set(11_600);
    state.publish(state.nextLayout());
    JsonNode r = parse(view.recoveries()).get("recoveries").get(0);
    assertEquals("SERVER", r.get("role").asText());
    assertEquals(1, r.get("index").asInt());
    assertEquals("DONE", r.get("status").asText());
    assertEquals(10_000, r.get("detect_ms").asLong());
    assertEquals(10_400, r.get("container_ms").asLong());
    assertEquals(11_000, r.get("registered_ms").asLong());
    assertEquals(11_500, r.get("restore_ms").asLong());
    assertEquals(11_600, r.get("published_ms").asLong());
    assertEquals(2, r.get("layout_version").asLong());
    assertEquals(0, r.get("replication").asInt());
    assertEquals(-1, r.get("checkpoint_clock").asLong());
    assertEquals(1, parse(view.status()).get("recoveries").size(), "the status carries the recoveries too");
  }

  @Test
  void checkpointsAreAnEmptyListUntilTheyExist() throws Exception {
    JsonNode c = parse(view.checkpoints());
    assertTrue(c.get("checkpoints").isArray());
    assertEquals(0, c.get("checkpoints").size());
  }

  @Test
  void theLossMetricIsATrainingLoss() {
    assertEquals("train_logloss", StatusView.lossMetric(Map.of("test_logloss", 1.0, "train_logloss", 2.0, "auc", 3.0)));
    assertEquals(null, StatusView.lossMetric(Map.of("test_logloss", 1.0, "accuracy", 0.5)));
  }
}
