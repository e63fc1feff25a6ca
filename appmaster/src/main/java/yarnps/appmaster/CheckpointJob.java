package yarnps.appmaster;

import java.util.function.Supplier;
import yarnps.thrift.Layout;
import yarnps.thrift.Role;

/** The job as the {@link CheckpointCoordinator} sees it, over {@link JobState}. */
final class CheckpointJob implements CheckpointCoordinator.Job {
  private final JobState state;
  private final Supplier<RestoreOnStart> restore;

  /** @param restore the job's restore from a checkpoint, or null inside when there is none */
  CheckpointJob(JobState state, Supplier<RestoreOnStart> restore) {
    this.state = state;
    this.restore = restore;
  }

  @Override
  public Layout layout() {
    return state.layout();
  }

  @Override
  public String notReady() {
    JobState.Outcome o = state.outcome();
    if (o != JobState.Outcome.RUNNING) {
      return "the job is not running (" + o + ")";
    }
    if (state.layout().getVersion() == 0) {
      return "the servers have not all registered yet";
    }
    if (state.recovering()) {
      return "a lost server is being replaced";
    }
    RestoreOnStart r = restore.get();
    if (r != null && !r.done()) {
      return "the servers are being restored from " + r.dir();
    }
    return null;
  }

  @Override
  public long slowestWorkerClock() {
    return state.withMembers(members -> {
      long min = -1;
      for (Member m : members) {
        if (m.role == Role.WORKER && m.state != Member.State.FINISHED && m.state != Member.State.FAILED) {
          min = min < 0 ? m.clock : Math.min(min, m.clock);
        }
      }
      return min;
    });
  }

  @Override
  public void event(EventLog.Kind kind, String text) {
    state.events().add(kind, text);
  }
}
