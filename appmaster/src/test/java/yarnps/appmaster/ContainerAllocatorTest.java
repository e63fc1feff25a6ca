package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerState;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.api.records.NodeId;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.junit.jupiter.api.Test;
import yarnps.thrift.InputSplit;
import yarnps.thrift.Role;

/** The allocator's rules with a fake RM, launcher and NM: matching, replacements, surplus release. */
class ContainerAllocatorTest {
  private static final ApplicationAttemptId ATTEMPT = ApplicationAttemptId.newInstance(ApplicationId.newInstance(1, 1), 1);
  private static final Resource SERVER = Resource.newInstance(1024, 1);
  private static final Resource WORKER = Resource.newInstance(512, 1);

  private final AtomicLong now = new AtomicLong(1_000);
  private final List<String> rmCalls = new ArrayList<>();
  private final List<String> launched = new ArrayList<>();
  private final List<String> stopped = new ArrayList<>();
  private long nextId = 2;

  private final ContainerAllocator.Rm rm = new ContainerAllocator.Rm() {
    @Override
    public void request(Role role, Resource capability, Priority priority) {
      rmCalls.add("request " + role);
    }

    @Override
    public void removeRequest(Role role, Resource capability, Priority priority) {
      rmCalls.add("remove " + role);
    }

    @Override
    public void release(Container container) {
      rmCalls.add("release " + container.getId());
    }
  };

  private JobState state(JobState.Limits limits) {
    List<List<InputSplit>> train = List.of(List.of(new InputSplit("a", 0, 1, false)), List.of(new InputSplit("b", 0, 1, false)));
    return new JobState(2, 2, 8, Map.of("train", train), now::get, limits);
  }

  private ContainerAllocator allocator(JobState state) {
    return new ContainerAllocator(state, rm, (c, role, index) -> launched.add(role + " " + index + " " + c.getId()),
        c -> stopped.add(c.getId().toString()), SERVER, WORKER);
  }

  private Container container(Priority priority) {
    ContainerId id = ContainerId.newContainerId(ATTEMPT, nextId++);
    return Container.newInstance(id, NodeId.newInstance("node" + id.getContainerId(), 45454), "node:8042",
        SERVER, priority, null);
  }

  private static ContainerStatus exit(Container c, int status) {
    return ContainerStatus.newInstance(c.getId(), ContainerState.COMPLETE, "diag", status);
  }

  @Test
  void aLostServerGetsANewRequestAndTheNewContainerTakesItsIndex() {
    JobState state = state(JobState.Limits.DEFAULT);
    ContainerAllocator a = allocator(state);
    a.requestAll();
    assertEquals(List.of("request SERVER", "request SERVER", "request WORKER", "request WORKER"), rmCalls);
    Container s0 = container(ContainerAllocator.SERVER_PRIORITY);
    Container s1 = container(ContainerAllocator.SERVER_PRIORITY);
    a.allocated(List.of(s0, s1));
    assertEquals(List.of("SERVER 0 " + s0.getId(), "SERVER 1 " + s1.getId()), launched);
    rmCalls.clear();

    a.completed(List.of(exit(s1, 137)));
    assertEquals(List.of("request SERVER"), rmCalls, "one new request for the lost server");
    Container s1b = container(ContainerAllocator.SERVER_PRIORITY);
    a.allocated(List.of(s1b));
    assertEquals("SERVER 1 " + s1b.getId(), launched.get(2));
    assertEquals(s1b.getId().toString(), state.member(Role.SERVER, 1).containerId);
    assertEquals(Member.State.LAUNCHING, state.member(Role.SERVER, 1).state);
  }

  @Test
  void containersBeyondTheRequestsAreReleased() {
    JobState state = state(JobState.Limits.DEFAULT);
    ContainerAllocator a = allocator(state);
    a.requestAll();
    rmCalls.clear();
    Container s0 = container(ContainerAllocator.SERVER_PRIORITY);
    Container s1 = container(ContainerAllocator.SERVER_PRIORITY);
    Container extra = container(ContainerAllocator.SERVER_PRIORITY);
    a.allocated(List.of(s0, s1, extra));
    assertEquals(List.of("remove SERVER", "remove SERVER", "release " + extra.getId()), rmCalls);
    assertEquals(2, launched.size());
  }

  @Test
  void preemptionIsReplacedEvenWithNoFailuresAllowed() {
    JobState state = state(new JobState.Limits(0, 0, 0));
    ContainerAllocator a = allocator(state);
    a.requestAll();
    Container w0 = container(ContainerAllocator.WORKER_PRIORITY);
    a.allocated(List.of(w0));
    rmCalls.clear();
    a.completed(List.of(exit(w0, ContainerExitStatus.PREEMPTED)));
    assertEquals(List.of("request WORKER"), rmCalls);
    assertEquals(JobState.Outcome.RUNNING, state.outcome());
    Container first = container(ContainerAllocator.WORKER_PRIORITY);
    Container second = container(ContainerAllocator.WORKER_PRIORITY);
    a.allocated(List.of(first, second));
    // Worker 1's first request and worker 0's replacement are both served, in the order of the requests.
    assertEquals(first.getId().toString(), state.member(Role.WORKER, 1).containerId);
    assertEquals(second.getId().toString(), state.member(Role.WORKER, 0).containerId);
    rmCalls.clear();
    a.completed(List.of(exit(second, 1)));
    assertTrue(rmCalls.isEmpty(), rmCalls.toString());
    assertEquals(JobState.Outcome.FAILED, state.outcome());
  }

  @Test
  void aFinishedWorkersExitAsksForNothing() {
    JobState state = state(JobState.Limits.DEFAULT);
    ContainerAllocator a = allocator(state);
    a.requestAll();
    Container w0 = container(ContainerAllocator.WORKER_PRIORITY);
    a.allocated(List.of(w0));
    state.finish(Role.WORKER, 0, true, "");
    rmCalls.clear();
    a.completed(List.of(exit(w0, 0)));
    assertTrue(rmCalls.isEmpty(), rmCalls.toString());
  }

  @Test
  void aSilentMembersContainerIsStoppedAndReplaced() {
    JobState state = state(JobState.Limits.DEFAULT);
    ContainerAllocator a = allocator(state);
    a.requestAll();
    Container s0 = container(ContainerAllocator.SERVER_PRIORITY);
    a.allocated(List.of(s0));
    rmCalls.clear();
    now.addAndGet(120_000);
    a.replace(state.checkLiveness(60_000, 600_000));
    assertEquals(List.of(s0.getId().toString()), stopped);
    assertEquals(List.of("request SERVER"), rmCalls);
    rmCalls.clear();
    a.completed(List.of(exit(s0, ContainerExitStatus.KILLED_BY_APPMASTER)));
    assertTrue(rmCalls.isEmpty(), "the stopped container's exit is not a second loss: " + rmCalls);
  }

  @Test
  void aContainerThatCannotStartIsReplaced() {
    JobState state = state(JobState.Limits.DEFAULT);
    ContainerAllocator a = allocator(state);
    a.requestAll();
    Container s0 = container(ContainerAllocator.SERVER_PRIORITY);
    a.allocated(List.of(s0));
    rmCalls.clear();
    a.startFailed(s0.getId().toString(), "no such user");
    assertEquals(List.of("request SERVER"), rmCalls);
    assertTrue(state.member(Role.SERVER, 0).losses.get(0).contains("could not be started: no such user"));
  }
}
