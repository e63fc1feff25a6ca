package yarnps.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.util.Records;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yarnps.rpc.Errors;
import yarnps.rpc.Rpc;
import yarnps.thrift.Coordinator;

/** {@code checkpoint <appId>} and {@code checkpoints <dir>}: arguments, the AM call on a real socket, listing. */
class CheckpointCommandsTest {
  @TempDir
  java.nio.file.Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    YarnPsClient client = new YarnPsClient(new PrintStream(out), new PrintStream(err));
    client.setConf(new Configuration(false));
    return client.run(args);
  }

  @Test
  void checkpointArgumentsAreChecked() throws Exception {
    assertEquals(YarnPsClient.EXIT_USAGE, run("checkpoint"));
    assertTrue(err.toString().contains("checkpoint: expected an application id"), err.toString());
    err.reset();
    assertEquals(YarnPsClient.EXIT_USAGE, run("checkpoint", "app_1"));
    assertTrue(err.toString().contains("'app_1' is not an application id"), err.toString());
    err.reset();
    assertEquals(YarnPsClient.EXIT_USAGE, run("checkpoint", "application_1_0001", "--reason"));
    assertEquals(YarnPsClient.EXIT_USAGE, run("checkpoint", "application_1_0001", "--why", "x"));
    assertEquals(YarnPsClient.EXIT_USAGE, run("checkpoints"));
  }

  private static ApplicationReport report(YarnApplicationState state, String host, int port) {
    ApplicationReport r = Records.newRecord(ApplicationReport.class);
    r.setApplicationId(ApplicationId.newInstance(1700000000000L, 7));
    r.setYarnApplicationState(state);
    r.setFinalApplicationStatus(state == YarnApplicationState.FINISHED ? FinalApplicationStatus.SUCCEEDED
        : FinalApplicationStatus.UNDEFINED);
    r.setHost(host);
    r.setRpcPort(port);
    return r;
  }

  @Test
  void theAmAddressComesFromARunningApplicationsReport() {
    assertEquals("am-host:4242", CheckpointCommands.amAddress(report(YarnApplicationState.RUNNING, "am-host", 4242)));
    String ended = assertThrows(IllegalStateException.class,
        () -> CheckpointCommands.amAddress(report(YarnApplicationState.FINISHED, "am-host", 4242))).getMessage();
    assertTrue(ended.contains("application_1700000000000_0007 has ended (FINISHED / SUCCEEDED)"), ended);
    String early = assertThrows(IllegalStateException.class,
        () -> CheckpointCommands.amAddress(report(YarnApplicationState.ACCEPTED, "N/A", -1))).getMessage();
    assertTrue(early.contains("is not running yet (ACCEPTED)"), early);
    String noPort = assertThrows(IllegalStateException.class,
        () -> CheckpointCommands.amAddress(report(YarnApplicationState.RUNNING, "N/A", 0))).getMessage();
    assertTrue(noPort.contains("has no ApplicationMaster address"), noPort);
  }

  /** A Coordinator answering requestCheckpoint only; the reasons it got go to {@code reasons}. */
  private static Coordinator.Iface coordinator(List<String> reasons, String answer) {
    return (Coordinator.Iface) Proxy.newProxyInstance(Coordinator.Iface.class.getClassLoader(),
        new Class<?>[] {Coordinator.Iface.class}, (proxy, method, args) -> {
          if (!method.getName().equals("requestCheckpoint")) {
            throw new UnsupportedOperationException(method.getName());
          }
          reasons.add((String) args[0]);
          if (answer == null) {
            throw Errors.notReady("AM shutting down");
          }
          return answer;
        });
  }

  @Test
  void theRequestReachesTheCoordinatorAndItsAnswerComesBack() throws Exception {
    List<String> reasons = new CopyOnWriteArrayList<>();
    Rpc.Server am = Rpc.startServer("test-am", new Coordinator.Processor<>(coordinator(reasons, "checkpoint requested: ok")),
        0, 1 << 20, 4);
    try {
      assertEquals("checkpoint requested: ok", CheckpointCommands.request("127.0.0.1", am.port(), "by test", 10_000));
      assertEquals(List.of("by test"), reasons);
    } finally {
      am.stop();
    }
    Rpc.Server refusing = Rpc.startServer("test-am2", new Coordinator.Processor<>(coordinator(reasons, null)), 0,
        1 << 20, 4);
    try {
      IOException e = assertThrows(IOException.class,
          () -> CheckpointCommands.request("127.0.0.1", refusing.port(), "x", 10_000));
      assertTrue(e.getMessage().contains("refused: AM shutting down"), e.getMessage());
    } finally {
      refusing.stop();
    }
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    IOException e = assertThrows(IOException.class, () -> CheckpointCommands.request("127.0.0.1", closed, "x", 2_000));
    assertTrue(e.getMessage().startsWith("cannot reach the ApplicationMaster at 127.0.0.1:" + closed), e.getMessage());
    assertTrue(CheckpointCommands.refused("no checkpoint: the job is not running (FAILED)"));
  }

  @Test
  void checkpointsListsARootAndChecksOneCheckpoint() throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    Path root = new Path(tmp.toUri().toString(), "checkpoints");
    Configuration job = TestCheckpoints.jobConf("w:1:adagrad");
    TestCheckpoints.write(fs, root, 10, job);
    Path newest = TestCheckpoints.write(fs, root, 20, job);
    fs.mkdirs(new Path(root, "ckpt-0000000000000000030"));
    assertEquals(YarnPsClient.EXIT_OK, run("checkpoints", root.toString()));
    String listing = out.toString();
    assertTrue(listing.contains("ckpt-0000000000000000030  clock=30  incomplete"), listing);
    assertTrue(listing.indexOf("ckpt-0000000000000000020  clock=20  created=") < listing.indexOf("clock=10"), listing);
    assertTrue(listing.contains("tables=w:1:adagrad"), listing);
    out.reset();
    assertEquals(YarnPsClient.EXIT_OK, run("checkpoints", newest.toString()));
    assertTrue(out.toString().contains("OK checkpoint " + newest + " clock=20"), out.toString());
    fs.delete(new Path(newest, "w/00000.shard"), false);
    assertEquals(YarnPsClient.EXIT_JOB_FAILED, run("checkpoints", newest.toString()));
    assertEquals(YarnPsClient.EXIT_NOT_FOUND, run("checkpoints", new Path(root, "nope").toString()));
    assertTrue(err.toString().contains("nope: no such directory"), err.toString());
  }
}
