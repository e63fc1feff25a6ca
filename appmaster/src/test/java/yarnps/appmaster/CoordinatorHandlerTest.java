package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import yarnps.thrift.Command;
import yarnps.thrift.ErrorCode;
import yarnps.thrift.Heartbeat;
import yarnps.thrift.InputSplit;
import yarnps.thrift.PsError;
import yarnps.thrift.RegisterRequest;
import yarnps.thrift.RegisterResponse;
import yarnps.thrift.Role;

/** The Coordinator glue for recovery: resume clocks of replacements, ROLLBACK answers, refused old containers. */
class CoordinatorHandlerTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final List<Integer> asked = new ArrayList<>();

  private final JobState state = new JobState(1, 2, 8, Map.of("train", List.of(List.<InputSplit>of(), List.of())),
      now::get, JobState.Limits.DEFAULT);
  private final CoordinatorHandler handler = new CoordinatorHandler(state, w -> {
    asked.add(w);
    return 41;
  });

  private RegisterResponse register(Role role, int index, String container) throws PsError {
    state.launching(role, index, container, "node", "");
    return handler.registerContainer(new RegisterRequest(role, index, container, "node", role == Role.SERVER ? 7000 : 0));
  }

  @Test
  void aReplacementWorkerIsToldWhereToResume() throws Exception {
    register(Role.SERVER, 0, "s0");
    RegisterResponse fresh = register(Role.WORKER, 1, "w1");
    assertFalse(fresh.isSetResumeClock(), "a new worker starts at the beginning");
    assertTrue(asked.isEmpty());
    state.containerCompleted("w1", 137, "", "killed");
    RegisterResponse replacement = register(Role.WORKER, 1, "w1b");
    assertEquals(41, replacement.getResumeClock());
    assertEquals(List.of(1), asked);
    RegisterResponse again = handler.registerContainer(new RegisterRequest(Role.WORKER, 1, "w1b", "node", 0));
    assertEquals(41, again.getResumeClock());
    assertEquals(List.of(1), asked, "asked once");
  }

  @Test
  void theOldContainerOfAReplacedMemberIsAnUnknownPeer() throws Exception {
    register(Role.SERVER, 0, "s0");
    state.containerCompleted("s0", 137, "", "killed");
    PsError e = assertThrows(PsError.class,
        () -> handler.registerContainer(new RegisterRequest(Role.SERVER, 0, "s0", "node", 7000)));
    assertEquals(ErrorCode.UNKNOWN_PEER, e.getCode());
  }

  @Test
  void heartbeatsCarryTheRollback() throws Exception {
    register(Role.SERVER, 0, "s0");
    register(Role.WORKER, 0, "w0");
    state.startRollback(12, 3);
    var r = handler.heartbeat(new Heartbeat(Role.WORKER, 0, 30, 0.5, Map.of()));
    assertEquals(Command.ROLLBACK, r.getCommand());
    assertEquals(12, r.getResumeClock());
    r = handler.heartbeat(new Heartbeat(Role.WORKER, 0, 12, 0.4, Map.of(JobState.ROLLBACK_METRIC, (double) r.getRollbackId())));
    assertEquals(Command.CONTINUE, r.getCommand());
  }
}
