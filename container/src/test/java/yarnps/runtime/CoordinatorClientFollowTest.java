package yarnps.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yarnps.rpc.Errors;
import yarnps.rpc.Rpc;
import yarnps.thrift.Command;
import yarnps.thrift.Coordinator;
import yarnps.thrift.FinishRequest;
import yarnps.thrift.Heartbeat;
import yarnps.thrift.HeartbeatResponse;
import yarnps.thrift.InputSplit;
import yarnps.thrift.Layout;
import yarnps.thrift.MetricsReport;
import yarnps.thrift.PsError;
import yarnps.thrift.RegisterRequest;
import yarnps.thrift.RegisterResponse;
import yarnps.thrift.Role;

/** A container follows its AM to the next attempt through am.address, over real sockets. */
class CoordinatorClientFollowTest {

  /** A Coordinator that knows only the containers that registered with it. */
  static final class FakeAm implements Coordinator.Iface {
    final List<RegisterRequest> registrations = new CopyOnWriteArrayList<>();
    final long layoutVersion;
    /** A stopped Thrift server keeps serving open connections; a dead AM answers nothing useful. */
    volatile boolean dead;

    private void check() {
      if (dead) {
        throw new IllegalStateException("this AM attempt is gone");
      }
    }

    FakeAm(long layoutVersion) {
      this.layoutVersion = layoutVersion;
    }

    @Override
    public RegisterResponse registerContainer(RegisterRequest request) {
      check();
      registrations.add(request);
      return new RegisterResponse(1, 1);
    }

    @Override
    public HeartbeatResponse heartbeat(Heartbeat hb) throws PsError {
      check();
      if (registrations.stream().noneMatch(r -> r.getIndex() == hb.getIndex())) {
        throw Errors.unknownPeer(hb.getRole() + " " + hb.getIndex() + " never registered here");
      }
      return new HeartbeatResponse(Command.CONTINUE, layoutVersion);
    }

    @Override
    public Layout getLayout() {
      check();
      return new Layout(layoutVersion, List.of(), List.of());
    }

    @Override
    public List<InputSplit> getSplits(int worker, String input) {
      return List.of();
    }

    @Override
    public void report(MetricsReport report) {
    }

    @Override
    public void barrier(int worker, String name) {
    }

    @Override
    public void finish(FinishRequest request) {
    }

    @Override
    public String requestCheckpoint(String reason) {
      return "";
    }
  }

  private static Rpc.Server start(FakeAm am) throws Exception {
    return Rpc.startServer("fake-am", new Coordinator.Processor<>(am), 0, 1 << 20, 4);
  }

  private static void writeAddress(Path staging, int port) throws IOException {
    Path tmp = staging.resolve(AmLocator.FILE + ".tmp");
    Files.write(tmp, ("localhost:" + port + "\n").getBytes(StandardCharsets.UTF_8));
    Files.move(tmp, staging.resolve(AmLocator.FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static RegisterRequest registration(long clock) {
    RegisterRequest r = new RegisterRequest(Role.WORKER, 3, "container_1", "localhost", 0);
    r.setClock(clock);
    return r;
  }

  @Test
  void followsTheAmToItsNextAttemptAndRegistersThere(@TempDir Path staging) throws Exception {
    FakeAm first = new FakeAm(5);
    FakeAm second = new FakeAm(9);
    Rpc.Server a = start(first);
    Rpc.Server b = start(second);
    try (CoordinatorClient client = new CoordinatorClient("localhost", a.port(), 5000)) {
      writeAddress(staging, a.port());
      client.followAm(new AmLocator(new Configuration(), new org.apache.hadoop.fs.Path(staging.toUri())), 20_000,
          () -> registration(42));
      client.register(registration(0));
      assertEquals(5, client.heartbeat(new Heartbeat(Role.WORKER, 3, 0, 0, java.util.Map.of())).getLayoutVersion());
      // The first attempt dies; the second writes its address a little later.
      a.stop();
      first.dead = true;
      Thread writer = new Thread(() -> {
        try {
          Thread.sleep(300);
          writeAddress(staging, b.port());
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      writer.start();
      HeartbeatResponse r = client.heartbeat(new Heartbeat(Role.WORKER, 3, 42, 0, java.util.Map.of()));
      writer.join();
      assertEquals(9, r.getLayoutVersion(), "the heartbeat went to the second attempt");
      assertEquals(1, client.amChanges());
      assertEquals(1, second.registrations.size(), "registered again with the new attempt");
      assertEquals(42, second.registrations.get(0).getClock(), "with its current clock");
    } finally {
      b.stop();
    }
  }

  @Test
  void givesUpNamingTheAddressFileWhenNoAttemptComes(@TempDir Path staging) throws Exception {
    FakeAm first = new FakeAm(5);
    Rpc.Server a = start(first);
    try (CoordinatorClient client = new CoordinatorClient("localhost", a.port(), 2000)) {
      writeAddress(staging, a.port());
      client.followAm(new AmLocator(new Configuration(), new org.apache.hadoop.fs.Path(staging.toUri())), 1500,
          () -> registration(0));
      client.register(registration(0));
      a.stop();
      first.dead = true;
      IOException e = assertThrows(IOException.class, client::layout);
      assertTrue(e.getMessage().contains(AmLocator.FILE), e.getMessage());
    }
  }

  @Test
  void addressFileErrorsNameTheFile() {
    IOException e = assertThrows(IOException.class, () -> AmLocator.parse("nohostport", "/s/am.address"));
    assertTrue(e.getMessage().startsWith("/s/am.address"), e.getMessage());
    assertThrows(IOException.class, () -> AmLocator.parse("h:99999", "f"));
    assertThrows(IOException.class, () -> AmLocator.parse("h:", "f"));
  }
}
