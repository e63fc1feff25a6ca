package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.junit.jupiter.api.Test;
import yarnps.thrift.Command;
import yarnps.thrift.HeartbeatResponse;
import yarnps.thrift.InputSplit;
import yarnps.thrift.Layout;
import yarnps.thrift.Role;
import yarnps.thrift.ServerAddress;

/** JobState's rules for lost members: exits, limits, replacements, layouts, rollbacks, a new AM attempt. */
class JobStateRecoveryTest {
  private final AtomicLong now = new AtomicLong(1_000);

  private JobState state(int servers, int workers, JobState.Limits limits) {
    List<List<InputSplit>> train = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      train.add(List.of(new InputSplit("part-" + i, 0, 10, false)));
    }
    return new JobState(servers, workers, 8, Map.of("train", train), now::get, limits);
  }

  /** Every member launched in container s<i> / w<i> and registered; servers on node<i>:700<i>. */
  private JobState running(int servers, int workers, JobState.Limits limits) {
    JobState s = state(servers, workers, limits);
    for (int i = 0; i < servers; i++) {
      s.launching(Role.SERVER, i, "s" + i, "node" + i, "");
      s.register(Role.SERVER, i, "s" + i, "node" + i, 7000 + i);
    }
    for (int i = 0; i < workers; i++) {
      s.launching(Role.WORKER, i, "w" + i, "node" + i, "");
      s.register(Role.WORKER, i, "w" + i, "node" + i, 0);
    }
    return s;
  }

  @Test
  void exitsOfTheFrameworkDoNotCountAndOthersDo() {
    for (int exit : new int[] {ContainerExitStatus.PREEMPTED, ContainerExitStatus.KILLED_BY_RESOURCEMANAGER,
        ContainerExitStatus.ABORTED, ContainerExitStatus.DISKS_FAILED, ContainerExitStatus.KILLED_BY_APPMASTER,
        ContainerExitStatus.KILLED_AFTER_APP_COMPLETION}) {
      assertFalse(FailureTracker.countsAsFailure(exit), "exit " + exit);
    }
    for (int exit : new int[] {0, 1, 137, 143, ContainerExitStatus.KILLED_EXCEEDED_PMEM, yarnps.runtime.ExitCodes.JOB_FAILED}) {
      assertTrue(FailureTracker.countsAsFailure(exit), "exit " + exit);
    }
  }

  @Test
  void preemptionIsReplacedWithoutCountingAndTheFirstFailurePastTheLimitFailsTheJob() {
    JobState s = running(2, 1, new JobState.Limits(0, 0, 3));
    JobState.Lost lost = s.containerCompleted("s1", ContainerExitStatus.PREEMPTED, "", "preempted");
    assertEquals(new JobState.Lost(Role.SERVER, 1, "s1"), lost);
    assertEquals(JobState.Outcome.RUNNING, s.outcome());
    s.launching(Role.SERVER, 1, "s1b", "node5", "");
    s.register(Role.SERVER, 1, "s1b", "node5", 7100);
    assertNull(s.containerCompleted("s1b", 137, "Killed by signal 9", "killed"));
    assertEquals(JobState.Outcome.FAILED, s.outcome());
    String d = s.diagnostics();
    assertTrue(d.startsWith("server 1 failed: 1 server failures by the job's fault, more than yarnps.server.max-failures=0"), d);
    assertTrue(d.contains("container s1 on node1 exited exit " + ContainerExitStatus.PREEMPTED), d);
    assertTrue(d.contains("container s1b on node5 exited exit 137 (killed): Killed by signal 9"), d);
  }

  @Test
  void theLimitCountsEveryContainerOfTheRole() {
    JobState s = running(1, 2, new JobState.Limits(0, 3, 1));
    assertNotNull(s.containerCompleted("w0", 1, "", "error"));
    assertEquals(JobState.Outcome.RUNNING, s.outcome());
    assertNull(s.containerCompleted("w1", 1, "", "error"));
    assertEquals(JobState.Outcome.FAILED, s.outcome());
    assertTrue(s.diagnostics().startsWith("worker 1 failed: 2 worker failures"), s.diagnostics());
    assertTrue(s.diagnostics().contains("yarnps.worker.max-failures=1"), s.diagnostics());
  }

  @Test
  void theReplacementRegistersWithANewContainerAndTheOldOneIsRefused() {
    JobState s = running(2, 1, JobState.Limits.DEFAULT);
    s.containerCompleted("s0", 137, "", "killed");
    assertEquals(Member.State.REQUESTED, s.member(Role.SERVER, 0).state);
    var e = assertThrows(IllegalArgumentException.class, () -> s.register(Role.SERVER, 0, "s0", "node0", 7000));
    assertTrue(e.getMessage().contains("s0 was server 0 and has been replaced"), e.getMessage());
    s.launching(Role.SERVER, 0, "s0b", "node4", "");
    assertThrows(IllegalArgumentException.class, () -> s.register(Role.SERVER, 0, "s0", "node0", 7000));
    assertTrue(s.register(Role.SERVER, 0, "s0b", "node4", 7400).replacement());
    assertNull(s.containerCompleted("s0", 137, "", "killed"), "the old container's exit is not news");
    assertEquals(JobState.Outcome.RUNNING, s.outcome());
    assertEquals(Member.State.REGISTERED, s.member(Role.SERVER, 0).state);
  }

  @Test
  void theNextLayoutKeepsTheRangesAndCarriesTheReplacementsAddress() {
    JobState s = running(3, 1, new JobState.Limits(1, 3, 3));
    Layout v1 = s.layout();
    assertEquals(1, v1.getVersion());
    assertFalse(s.layoutChangeReady());
    s.containerCompleted("s1", ContainerExitStatus.ABORTED, "", "node lost");
    assertFalse(s.layoutChangeReady(), "no layout before the replacement registered");
    assertTrue(s.recovering());
    s.launching(Role.SERVER, 1, "s1b", "node9", "");
    s.register(Role.SERVER, 1, "s1b", "node9", 7900);
    assertTrue(s.layoutChangeReady());
    assertEquals(List.of(1), s.replacedServers());
    Layout v2 = s.nextLayout();
    assertEquals(2, v2.getVersion());
    assertEquals(v1.getRanges(), v2.getRanges());
    assertEquals(v1.getServers().get(0), v2.getServers().get(0));
    assertEquals(v1.getServers().get(2), v2.getServers().get(2));
    assertEquals(new ServerAddress(1, "node9", 7900), v2.getServers().get(1));
    assertEquals(1, s.layout().getVersion(), "workers see the old layout until the new one is published");
    s.publish(v2);
    assertEquals(v2, s.layout());
    assertFalse(s.layoutChangeReady());
    assertFalse(s.recovering());
    assertEquals(Recovery.Status.DONE, s.recoveries().get(0).status());
    assertThrows(IllegalArgumentException.class, () -> s.publish(v1));
  }

  @Test
  void workersRollBackUntilTheyAcknowledge() {
    JobState s = running(1, 3, JobState.Limits.DEFAULT);
    s.finish(Role.WORKER, 2, true, "");
    s.heartbeat(Role.WORKER, 0, 57, 0.5, Map.of());
    assertEquals(Command.CONTINUE, s.heartbeatResponse(Role.WORKER, 0).getCommand());
    long id = s.startRollback(40, 2);
    for (int i = 0; i < 3; i++) {
      HeartbeatResponse r = s.heartbeatResponse(Role.WORKER, 0);
      assertEquals(Command.ROLLBACK, r.getCommand(), "asked again until acknowledged");
      assertEquals(40, r.getResumeClock());
      assertEquals(2, r.getLayoutVersion());
      assertEquals(id, r.getRollbackId());
      s.heartbeat(Role.WORKER, 0, 57, 0.5, Map.of("examples", 3.0));
    }
    s.heartbeat(Role.WORKER, 0, 40, 0.4, Map.of(JobState.ROLLBACK_METRIC, (double) id));
    assertEquals(Command.CONTINUE, s.heartbeatResponse(Role.WORKER, 0).getCommand());
    assertFalse(s.rollbackPending(0));
    assertTrue(s.rollbackPending(1));
    assertEquals(Command.ROLLBACK, s.heartbeatResponse(Role.WORKER, 1).getCommand());
    assertEquals(Command.CONTINUE, s.heartbeatResponse(Role.WORKER, 2).getCommand(), "a finished worker stays finished");
    assertEquals(Command.CONTINUE, s.heartbeatResponse(Role.SERVER, 0).getCommand());
    long second = s.startRollback(30, 3);
    assertEquals(id + 1, second);
    assertEquals(Command.ROLLBACK, s.heartbeatResponse(Role.WORKER, 0).getCommand(), "a newer rollback is asked again");
  }

  @Test
  void aLostWorkersBarrierWaitsForItsReplacement() throws Exception {
    JobState s = running(1, 2, JobState.Limits.DEFAULT);
    CompletableFuture<Void> old = CompletableFuture.runAsync(() -> barrierQuietly(s, 1, "end"));
    waitFor(() -> s.arrived("end").contains(1));
    // Worker 1 arrived, then died: its arrival no longer counts.
    assertNotNull(s.containerCompleted("w1", 137, "", "killed"));
    assertEquals(java.util.Set.of(), s.arrived("end"));
    CompletableFuture<Void> other = CompletableFuture.runAsync(() -> barrierQuietly(s, 0, "end"));
    assertThrows(TimeoutException.class, () -> other.get(300, TimeUnit.MILLISECONDS));
    s.launching(Role.WORKER, 1, "w1b", "node7", "");
    s.register(Role.WORKER, 1, "w1b", "node7", 0);
    s.barrier(1, "end");
    other.get(10, TimeUnit.SECONDS);
    old.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aBarrierWaitingForALostWorkerEndsWhenTheJobFails() {
    JobState s = running(1, 2, JobState.Limits.DEFAULT);
    s.containerCompleted("w1", 137, "", "killed");
    CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> barrierQuietly(s, 0, "end"));
    s.fail("worker 1 did not come back");
    var e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
  }

  @Test
  void aReplacementNotBackInTimeFailsTheJob() {
    JobState s = running(1, 1, JobState.Limits.DEFAULT);
    s.containerCompleted("w0", ContainerExitStatus.PREEMPTED, "", "preempted");
    now.addAndGet(5_000);
    assertTrue(s.checkLiveness(60_000, 10_000).isEmpty());
    assertEquals(JobState.Outcome.RUNNING, s.outcome());
    now.addAndGet(6_000);
    s.checkLiveness(60_000, 10_000);
    assertEquals(JobState.Outcome.FAILED, s.outcome());
    assertTrue(s.diagnostics().contains("worker 0 was lost 11 s ago and is not back (yarnps.recovery.timeout.ms=10000)"),
        s.diagnostics());
  }

  @Test
  void aReplacementWorkerRecordsItsResumeClock() {
    JobState s = running(1, 1, JobState.Limits.DEFAULT);
    s.heartbeat(Role.WORKER, 0, 12, 0.1, Map.of());
    now.set(50_000);
    s.containerCompleted("w0", 1, "", "error");
    now.set(50_300);
    s.launching(Role.WORKER, 0, "w0b", "node3", "");
    now.set(51_000);
    assertTrue(s.register(Role.WORKER, 0, "w0b", "node3", 0).replacement());
    s.resumed(0, 11);
    RecoveryView r = s.recoveries().get(0);
    assertEquals(Recovery.Status.DONE, r.status());
    assertEquals(11, r.resumeClock());
    assertEquals(50_000, r.detectMs());
    assertEquals(50_300, r.containerMs());
    assertEquals(51_000, r.registeredMs());
    now.set(52_000);
    JobState.Registration again = s.register(Role.WORKER, 0, "w0b", "node3", 0);
    assertEquals(new JobState.Registration(true, 11), again, "registering again gets the same resume clock");
    assertEquals(51_000, s.recoveries().get(0).registeredMs());
  }

  @Test
  void aNewAttemptTakesTheContainersOverAndReplacesTheMissing() {
    JobState s = state(2, 2, JobState.Limits.DEFAULT);
    s.adopt(List.of("s0", "s1", "w0", "w1"));
    s.register(Role.SERVER, 0, "s0", "node0", 7000, 5, 0);
    s.register(Role.WORKER, 0, "w0", "node0", 0, 5, 33);
    assertEquals(0, s.layout().getVersion(), "no layout before the takeover ended");
    assertFalse(s.layoutChangeReady());
    assertFalse(s.adoptedAllBack());
    assertNull(s.containerCompleted("w1", 137, "", "killed"), "an unregistered old container is not a member");
    List<JobState.Lost> ended = s.endTakeover();
    assertTrue(ended.contains(new JobState.Lost(null, -1, "s1")), ended.toString());
    assertTrue(ended.contains(new JobState.Lost(Role.SERVER, 1, "")), ended.toString());
    assertTrue(ended.contains(new JobState.Lost(Role.WORKER, 1, "")), ended.toString());
    assertEquals(3, ended.size(), ended.toString());
    assertThrows(IllegalArgumentException.class, () -> s.register(Role.SERVER, 1, "s1", "node1", 7001, 5, 0),
        "a container that came back too late is refused");
    assertFalse(s.layoutChangeReady(), "server 1 is not back");
    s.launching(Role.SERVER, 1, "s1b", "node8", "");
    s.register(Role.SERVER, 1, "s1b", "node8", 7800);
    assertTrue(s.layoutChangeReady());
    assertEquals(6, s.nextLayout().getVersion(), "above every version a container held");
    assertEquals(33, s.workerClock(0));
  }

  @Test
  void theAmStateRoundTripsAndANewAttemptGoesOnFromIt() {
    JobState s = running(2, 3, new JobState.Limits(0, 3, 1));
    s.finish(Role.WORKER, 2, true, "");
    s.containerCompleted("w1", 1, "", "error");
    s.containerCompleted("s0", ContainerExitStatus.PREEMPTED, "", "preempted");
    s.startRollback(20, 1);
    AmState saved = s.snapshot(1);
    String json = saved.toJson();
    AmState parsed = AmState.parse(json);
    assertEquals(saved, parsed);
    assertEquals(List.of(2), parsed.finishedWorkers());
    assertEquals(1, parsed.workerFailures());
    assertEquals(2, parsed.recoveries().size());

    JobState next = state(2, 3, new JobState.Limits(0, 3, 1));
    next.restore(parsed);
    assertEquals(Member.State.FINISHED, next.member(Role.WORKER, 2).state);
    assertEquals(Command.CONTINUE, next.heartbeatResponse(Role.WORKER, 0).getCommand(),
        "workers of the earlier attempt acted on its rollbacks");
    assertEquals(2, next.recoveries().size());
    assertNotEquals(Recovery.Status.IN_PROGRESS, next.recoveries().get(0).status());
    assertEquals(2, next.nextLayout().getVersion());
    next.register(Role.WORKER, 0, "w0", "node0", 0);
    assertNull(next.containerCompleted("w0", 1, "", "error"), "the failure before the restart still counts");
    assertEquals(JobState.Outcome.FAILED, next.outcome());
    assertTrue(next.diagnostics().contains("2 worker failures"), next.diagnostics());
  }

  @Test
  void badAmStateIsRefusedNamingTheField() {
    var e = assertThrows(IllegalArgumentException.class, () -> AmState.parse("{\"attempt\": 1}"));
    assertTrue(e.getMessage().contains("finished_workers"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> AmState.parse("[1,"));
    assertTrue(e.getMessage().startsWith("AM state is not JSON"), e.getMessage());
  }

  private static void barrierQuietly(JobState s, int worker, String name) {
    try {
      s.barrier(worker, name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(10);
    }
  }
}
