package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import yarnps.thrift.InputSplit;
import yarnps.thrift.Role;

class JobStateTest {
  private final AtomicLong now = new AtomicLong(1000);

  private JobState state(int servers, int workers) {
    List<List<InputSplit>> train = List.of(List.of(new InputSplit("a", 0, 10, false)), List.of(new InputSplit("b", 0, 5, false)));
    return new JobState(servers, workers, 8, Map.of("train", train.subList(0, workers)), now::get);
  }

  @Test
  void layoutIsBuiltOnlyWhenEveryServerRegistered() {
    JobState s = state(2, 1);
    s.launching(Role.SERVER, 0, "c0", "h", "");
    s.launching(Role.SERVER, 1, "c1", "h", "");
    s.register(Role.SERVER, 0, "c0", "h", 100);
    assertEquals(0, s.layout().getVersion());
    s.register(Role.SERVER, 1, "c1", "h", 101);
    assertEquals(1, s.layout().getVersion());
    assertEquals(2, s.layout().getServersSize());
    assertEquals(0L, s.layout().getRanges().get(0).getStart());
  }

  @Test
  void registrationFromAnotherContainerIsRefused() {
    JobState s = state(1, 1);
    s.launching(Role.SERVER, 0, "c0", "h", "");
    assertThrows(IllegalArgumentException.class, () -> s.register(Role.SERVER, 0, "other", "h", 1));
    assertThrows(IllegalArgumentException.class, () -> s.register(Role.SERVER, 5, "c0", "h", 1));
  }

  @Test
  void jobSucceedsWhenEveryWorkerFinished() {
    JobState s = state(1, 2);
    s.finish(Role.WORKER, 0, true, "");
    assertEquals(JobState.Outcome.RUNNING, s.outcome());
    s.finish(Role.WORKER, 1, true, "");
    assertEquals(JobState.Outcome.SUCCEEDED, s.outcome());
  }

  @Test
  void unexpectedContainerExitPastTheLimitFailsTheJobNamingIt() {
    List<List<InputSplit>> train = List.of(List.of(new InputSplit("a", 0, 10, false)));
    JobState s = new JobState(2, 1, 8, Map.of("train", train), now::get, new JobState.Limits(0, 0, 0));
    s.launching(Role.SERVER, 1, "container_7", "node9", "");
    s.containerCompleted("container_7", 137, "Killed", "killed");
    assertEquals(JobState.Outcome.FAILED, s.outcome());
    assertTrue(s.diagnostics().contains("server 1"), s.diagnostics());
    assertTrue(s.diagnostics().contains("container_7"), s.diagnostics());
    assertTrue(s.diagnostics().contains("137"), s.diagnostics());
  }

  @Test
  void aKilledContainerBehindAWorkersFailureIsNamedToo() {
    JobState s = state(2, 2);
    s.launching(Role.SERVER, 1, "container_9", "node3", "");
    s.launching(Role.WORKER, 0, "container_w0", "node3", "");
    s.finish(Role.WORKER, 0, false, "push w to server 1 (node3:5000) failed");
    s.containerCompleted("container_w0", yarnps.runtime.ExitCodes.JOB_FAILED, "", "job failed");
    s.containerCompleted("container_9", 137, "Killed by signal", "killed");
    String d = s.diagnostics();
    assertTrue(d.startsWith("worker 0"), d);
    assertTrue(d.contains("server 1 (container_9 on node3) exited unexpectedly with exit 137"), d);
    assertFalse(d.contains("exit " + yarnps.runtime.ExitCodes.JOB_FAILED), "the worker's own exit after its failure is not news: " + d);
  }

  @Test
  void finishedWorkerExitingZeroIsExpected() {
    JobState s = state(1, 2);
    s.launching(Role.WORKER, 0, "w0", "h", "");
    s.finish(Role.WORKER, 0, true, "");
    s.containerCompleted("w0", 0, "", "ok");
    assertEquals(JobState.Outcome.RUNNING, s.outcome());
  }

  @Test
  void workerFailureCarriesItsDiagnostics() {
    JobState s = state(1, 2);
    s.finish(Role.WORKER, 1, false, "hdfs://x/part-0:17: bad label");
    assertEquals(JobState.Outcome.FAILED, s.outcome());
    assertTrue(s.diagnostics().contains("part-0:17"), s.diagnostics());
  }

  @Test
  void barrierWaitsForEveryUnfinishedWorker() throws Exception {
    JobState s = state(1, 2);
    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
      try {
        s.barrier(0, "b");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThrows(java.util.concurrent.TimeoutException.class, () -> first.get(300, TimeUnit.MILLISECONDS));
    s.barrier(1, "b");
    first.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRollbackEndsTheBarrierWaitOfARolledBackWorker() throws Exception {
    JobState s = state(1, 2);
    CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
      try {
        s.barrier(0, "trained");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThrows(java.util.concurrent.TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS));
    s.startRollback(40, 2);
    java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> waiting.get(10, TimeUnit.SECONDS), "worker 0 leaves the barrier to run again from clock 40");
    assertTrue(e.getCause().getMessage().contains("rollback 1 to clock 40"), e.getCause().getMessage());
    // Its arrival no longer counts: worker 1 alone does not complete the barrier.
    CompletableFuture<Void> alone = CompletableFuture.runAsync(() -> barrierQuietly(s, 1, "trained"));
    assertThrows(java.util.concurrent.TimeoutException.class, () -> alone.get(300, TimeUnit.MILLISECONDS));
    s.barrier(0, "trained");
    alone.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aBarrierNameCanBeUsedAgain() throws Exception {
    JobState s = state(1, 2);
    CompletableFuture<Void> a = CompletableFuture.runAsync(() -> barrierQuietly(s, 0, "epoch"));
    s.barrier(1, "epoch");
    a.get(10, TimeUnit.SECONDS);
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> barrierQuietly(s, 0, "epoch"));
    assertThrows(java.util.concurrent.TimeoutException.class, () -> second.get(300, TimeUnit.MILLISECONDS),
        "the second use of a name waits for everyone again");
    s.barrier(1, "epoch");
    second.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFinishedWorkerReleasesTheOthersBarrier() throws Exception {
    JobState s = state(1, 2);
    CompletableFuture<Void> a = CompletableFuture.runAsync(() -> barrierQuietly(s, 0, "b"));
    s.finish(Role.WORKER, 1, true, "");
    a.get(10, TimeUnit.SECONDS);
  }

  private static void barrierQuietly(JobState s, int worker, String name) {
    try {
      s.barrier(worker, name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aSilentContainerIsDeclaredLostAndReplaced() {
    JobState s = state(1, 1);
    s.launching(Role.WORKER, 0, "container_5", "node1", "");
    now.addAndGet(30_000);
    assertTrue(s.checkLiveness(60_000, 600_000).isEmpty());
    s.heartbeat(Role.WORKER, 0, 1, 0.1, Map.of());
    now.addAndGet(61_000);
    List<JobState.Lost> lost = s.checkLiveness(60_000, 600_000);
    assertEquals(List.of(new JobState.Lost(Role.WORKER, 0, "container_5")), lost);
    assertEquals(JobState.Outcome.RUNNING, s.outcome());
    assertEquals(Member.State.REQUESTED, s.member(Role.WORKER, 0).state);
    assertTrue(s.member(Role.WORKER, 0).losses.get(0).contains("container_5 on node1 sent no heartbeat for 61 s"),
        s.member(Role.WORKER, 0).losses.toString());
    assertTrue(s.checkLiveness(60_000, 600_000).isEmpty(), "a member waiting for its container is not silent");
  }

  @Test
  void afterARollbackFinishedWorkersRunAgainInNewContainersUncounted() {
    List<List<InputSplit>> train = List.of(List.of(new InputSplit("a", 0, 10, false)),
        List.of(new InputSplit("b", 0, 5, false)), List.of(new InputSplit("c", 0, 5, false)));
    // No worker failure allowed: a re-run is not the job's fault.
    JobState s = new JobState(1, 3, 8, Map.of("train", train), now::get, new JobState.Limits(0, 3, 0));
    for (int w = 0; w < 3; w++) {
      s.launching(Role.WORKER, w, "container_w" + w, "node1", "");
      s.register(Role.WORKER, w, "container_w" + w, "node1", 0);
    }
    s.finish(Role.WORKER, 1, true, "");
    s.finish(Role.WORKER, 2, true, "");
    assertEquals(List.of(1, 2), s.rerunFinishedWorkers(40));
    assertEquals(Member.State.REQUESTED, s.member(Role.WORKER, 1).state);
    assertFalse(s.allWorkersFinished());
    assertEquals(List.of(new JobState.Lost(Role.WORKER, 1, "container_w1"), new JobState.Lost(Role.WORKER, 2, "container_w2")),
        s.checkLiveness(60_000, 600_000), "handed to the AM's loop once");
    assertTrue(s.checkLiveness(60_000, 600_000).isEmpty());
    assertTrue(s.member(Role.WORKER, 2).losses.get(0).contains("rolled back to clock 40"),
        s.member(Role.WORKER, 2).losses.toString());
    // The old container's exit is not news, and its registration is refused.
    assertNull(s.containerCompleted("container_w1", 0, "", "success"));
    assertThrows(IllegalArgumentException.class, () -> s.register(Role.WORKER, 1, "container_w1", "node1", 0));
    s.launching(Role.WORKER, 1, "container_w1b", "node2", "");
    assertTrue(s.register(Role.WORKER, 1, "container_w1b", "node2", 0).replacement());
    assertEquals(JobState.Outcome.RUNNING, s.outcome());
    s.finish(Role.WORKER, 0, true, "");
    s.finish(Role.WORKER, 1, true, "");
    assertEquals(JobState.Outcome.RUNNING, s.outcome(), "worker 2 has not run again yet");

    // Once every worker finished, a rollback re-runs none.
    s.launching(Role.WORKER, 2, "container_w2b", "node2", "");
    s.register(Role.WORKER, 2, "container_w2b", "node2", 0);
    s.finish(Role.WORKER, 2, true, "");
    assertEquals(JobState.Outcome.SUCCEEDED, s.outcome());
    assertEquals(List.of(), s.rerunFinishedWorkers(80));
  }

  @Test
  void aSilentContainerPastTheLimitFailsTheJobNamingIt() {
    List<List<InputSplit>> train = List.of(List.of(new InputSplit("a", 0, 10, false)));
    JobState s = new JobState(1, 1, 8, Map.of("train", train), now::get, new JobState.Limits(0, 3, 0));
    s.launching(Role.WORKER, 0, "container_5", "node1", "");
    now.addAndGet(61_000);
    assertTrue(s.checkLiveness(60_000, 600_000).isEmpty());
    assertEquals(JobState.Outcome.FAILED, s.outcome());
    assertTrue(s.diagnostics().contains("worker 0 failed"), s.diagnostics());
    assertTrue(s.diagnostics().contains("container_5 on node1 sent no heartbeat for 61 s"), s.diagnostics());
  }

  @Test
  void barrierFailsWhenTheJobFails() {
    JobState s = state(1, 2);
    CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
      try {
        s.barrier(0, "b");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    s.fail("boom");
    var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof IllegalStateException);
  }

  @Test
  void progressIsTheWorkersMean() {
    JobState s = state(1, 2);
    s.heartbeat(Role.WORKER, 0, 3, 0.5, Map.of());
    s.heartbeat(Role.WORKER, 1, 3, 0.25, Map.of());
    assertEquals(0.375f, s.progress(), 1e-6);
  }

  @Test
  void splitsForOneWorkerOrAll() {
    JobState s = state(1, 2);
    assertEquals("a", s.splits(0, "train").get(0).getPath());
    assertEquals(2, s.splits(-1, "train").size());
    assertTrue(s.splits(0, "test").isEmpty());
    assertFalse(s.splits(1, "train").isEmpty());
  }
}
