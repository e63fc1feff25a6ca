package yarnps.appmaster;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.runtime.ExitCodes;
import yarnps.thrift.Role;

/**
 * Asks YARN for the job's containers, matches allocations to server and worker slots by priority,
 * launches them, and passes completions to {@link JobState}; a member that JobState declares lost
 * gets a new request for its index. Containers beyond the open requests are released. YARN sits
 * behind {@link Rm}, {@link Launcher} and {@link Stopper} so the rules are tested without a cluster.
 */
final class ContainerAllocator {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerAllocator.class);

  static final Priority SERVER_PRIORITY = Priority.newInstance(1);
  static final Priority WORKER_PRIORITY = Priority.newInstance(2);

  /** The part of the RM client the allocator uses. */
  interface Rm {
    void request(Role role, Resource capability, Priority priority);

    void removeRequest(Role role, Resource capability, Priority priority);

    void release(Container container);
  }

  /** Starts a member's JVM in an allocated container. */
  interface Launcher {
    void launch(Container container, Role role, int index);
  }

  /** Stops a running container (nm.stopContainerAsync): a silent member's, or one not taken over. */
  interface Stopper {
    void stop(Container container);
  }

  private final JobState state;
  private final Rm rm;
  private final Launcher launcher;
  private final Stopper stopper;
  /** The containers launched or taken over and not completed, by id. */
  private final Map<String, Container> live = new HashMap<>();
  private final Map<Role, Resource> capability = new EnumMap<>(Role.class);
  private final Map<Role, Deque<Integer>> pending = new EnumMap<>(Role.class);

  ContainerAllocator(JobState state, Rm rm, Launcher launcher, Stopper stopper, Resource serverCapability,
      Resource workerCapability) {
    this.state = state;
    this.rm = rm;
    this.launcher = launcher;
    this.stopper = stopper;
    capability.put(Role.SERVER, serverCapability);
    capability.put(Role.WORKER, workerCapability);
    pending.put(Role.SERVER, new ArrayDeque<>());
    pending.put(Role.WORKER, new ArrayDeque<>());
  }

  /** Requests a container for every server and worker. */
  synchronized void requestAll() {
    for (int i = 0; i < state.numServers(); i++) {
      pending.get(Role.SERVER).add(i);
      rm.request(Role.SERVER, capability.get(Role.SERVER), SERVER_PRIORITY);
    }
    for (int i = 0; i < state.numWorkers(); i++) {
      pending.get(Role.WORKER).add(i);
      rm.request(Role.WORKER, capability.get(Role.WORKER), WORKER_PRIORITY);
    }
  }

  /** Requests a container for one member (a replacement); the allocation goes to the oldest waiting index. */
  synchronized void request(Role role, int index) {
    if (state.outcome() != JobState.Outcome.RUNNING) {
      return;
    }
    pending.get(role).add(index);
    rm.request(role, capability.get(role), role == Role.SERVER ? SERVER_PRIORITY : WORKER_PRIORITY);
    LOG.info("requested a new container for {} {}", role, index);
  }

  /** Containers of the previous AM attempt that this attempt takes over: they may be stopped later. */
  synchronized void adopt(List<Container> containers) {
    for (Container c : containers) {
      live.put(c.getId().toString(), c);
    }
  }

  /**
   * Handles members that were declared lost: stops each one's old container (if still running) and
   * requests a new one; a record with index -1 only names a container to stop.
   */
  void replace(List<JobState.Lost> lost) {
    for (JobState.Lost l : lost) {
      Container old;
      synchronized (this) {
        old = l.containerId().isEmpty() ? null : live.get(l.containerId());
      }
      if (old != null) {
        LOG.info("stopping container {}{}", old.getId(), l.index() < 0 ? "" : " of lost " + l.role() + " " + l.index());
        stopper.stop(old);
      }
      if (l.index() >= 0) {
        request(l.role(), l.index());
      }
    }
  }

  /** A container could not be started: its member is lost and replaced. */
  void startFailed(String containerId, String error) {
    JobState.Lost l = state.startFailed(containerId, error);
    if (l != null) {
      synchronized (this) {
        live.remove(containerId);
      }
      request(l.role(), l.index());
    }
  }

  /** Whether a container is still asked for (a member waits for one). */
  synchronized boolean waiting() {
    return !pending.get(Role.SERVER).isEmpty() || !pending.get(Role.WORKER).isEmpty();
  }

  static Role roleOf(Priority p) {
    if (p.equals(SERVER_PRIORITY)) {
      return Role.SERVER;
    }
    if (p.equals(WORKER_PRIORITY)) {
      return Role.WORKER;
    }
    return null;
  }

  synchronized void allocated(List<Container> containers) {
    for (Container c : containers) {
      Role role = roleOf(c.getPriority());
      Integer index = role == null ? null : pending.get(role).poll();
      if (index == null) {
        LOG.info("releasing surplus container {} (priority {})", c.getId(), c.getPriority());
        rm.release(c);
        continue;
      }
      rm.removeRequest(role, capability.get(role), role == Role.SERVER ? SERVER_PRIORITY : WORKER_PRIORITY);
      live.put(c.getId().toString(), c);
      state.launching(role, index, c.getId().toString(), c.getNodeId().getHost(), c.getNodeHttpAddress());
      LOG.info("launching {} {} in {} on {}", role, index, c.getId(), c.getNodeId());
      launcher.launch(c, role, index);
    }
  }

  void completed(List<ContainerStatus> statuses) {
    for (ContainerStatus s : statuses) {
      int exit = s.getExitStatus();
      LOG.info("container {} completed: exit {} ({}) {}", s.getContainerId(), exit, meaning(exit),
          s.getDiagnostics() == null ? "" : s.getDiagnostics().strip());
      String id = s.getContainerId().toString();
      synchronized (this) {
        live.remove(id);
      }
      JobState.Lost lost = state.containerCompleted(id, exit, s.getDiagnostics(), meaning(exit));
      if (lost != null) {
        request(lost.role(), lost.index());
      }
    }
  }

  /** What an exit status means, in words, for diagnostics. */
  static String meaning(int exit) {
    switch (exit) {
      case ContainerExitStatus.PREEMPTED: return "preempted by YARN";
      case ContainerExitStatus.KILLED_BY_RESOURCEMANAGER: return "killed by the ResourceManager";
      case ContainerExitStatus.KILLED_BY_APPMASTER: return "killed by the AM";
      case ContainerExitStatus.KILLED_EXCEEDED_PMEM: return "killed for exceeding physical memory";
      case ContainerExitStatus.KILLED_EXCEEDED_VMEM: return "killed for exceeding virtual memory";
      case ContainerExitStatus.DISKS_FAILED: return "disks failed";
      case ContainerExitStatus.KILLED_AFTER_APP_COMPLETION: return "killed after the application completed";
      case ContainerExitStatus.KILLED_BY_CONTAINER_SCHEDULER: return "killed by the container scheduler";
      case ContainerExitStatus.ABORTED: return "aborted by YARN (node lost or container released)";
      default: return ExitCodes.describe(exit);
    }
  }
}
