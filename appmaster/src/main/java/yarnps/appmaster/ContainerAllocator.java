package yarnps.appmaster;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
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
 * launches them, and passes completions to {@link JobState}. YARN sits behind {@link Rm} and
 * {@link Launcher} so the matching rules are tested without a cluster.
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

  private final JobState state;
  private final Rm rm;
  private final Launcher launcher;
  private final Map<Role, Resource> capability = new EnumMap<>(Role.class);
  private final Map<Role, Deque<Integer>> pending = new EnumMap<>(Role.class);

  ContainerAllocator(JobState state, Rm rm, Launcher launcher, Resource serverCapability, Resource workerCapability) {
    this.state = state;
    this.rm = rm;
    this.launcher = launcher;
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
      state.containerCompleted(s.getContainerId().toString(), exit, s.getDiagnostics(), meaning(exit));
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
      case ContainerExitStatus.ABORTED: return "aborted by YARN (node lost or container released)";
      default: return ExitCodes.describe(exit);
    }
  }
}
