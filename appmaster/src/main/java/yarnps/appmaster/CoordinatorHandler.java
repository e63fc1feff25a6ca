package yarnps.appmaster;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.rpc.Errors;
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

/** The Coordinator service: thin glue from Thrift to {@link JobState}; bad peers get UNKNOWN_PEER. */
final class CoordinatorHandler implements Coordinator.Iface {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorHandler.class);

  /** The clock a replacement worker resumes at (see {@link RecoveryCoordinator#workerResumeClock}). */
  interface ResumeClocks {
    long resumeClock(int worker);
  }

  private final JobState state;
  private final ResumeClocks resumeClocks;
  private final CheckpointCoordinator checkpoints;
  private final RestoreOnStart restore;

  CoordinatorHandler(JobState state) {
    this(state, w -> 0, null, null);
  }

  CoordinatorHandler(JobState state, ResumeClocks resumeClocks) {
    this(state, resumeClocks, null, null);
  }

  CoordinatorHandler(JobState state, CheckpointCoordinator checkpoints, RestoreOnStart restore) {
    this(state, w -> 0, checkpoints, restore);
  }

  /**
   * @param checkpoints null when the job takes no checkpoints
   * @param restore null unless the job starts from a checkpoint
   */
  CoordinatorHandler(JobState state, ResumeClocks resumeClocks, CheckpointCoordinator checkpoints,
      RestoreOnStart restore) {
    this.state = state;
    this.resumeClocks = resumeClocks;
    this.checkpoints = checkpoints;
    this.restore = restore;
  }

  @Override
  public RegisterResponse registerContainer(RegisterRequest r) throws PsError {
    JobState.Registration reg;
    try {
      reg = state.register(r.getRole(), r.getIndex(), r.getContainerId(), r.getHost(), r.getPort(),
          r.isSetLayoutVersion() ? r.getLayoutVersion() : 0, r.isSetClock() ? r.getClock() : 0);
    } catch (IllegalArgumentException e) {
      throw Errors.unknownPeer(e.getMessage());
    }
    LOG.info("{} {} registered from {}:{} ({}){}", r.getRole(), r.getIndex(), r.getHost(), r.getPort(), r.getContainerId(),
        reg.replacement() ? " as a replacement" : "");
    RegisterResponse resp = new RegisterResponse(state.numServers(), state.numWorkers());
    if (r.getRole() == Role.WORKER && reg.replacement()) {
      long clock = reg.resumeClock() >= 0 ? reg.resumeClock() : resumeClocks.resumeClock(r.getIndex());
      state.resumed(r.getIndex(), clock);
      resp.setResumeClock(clock);
    } else if (restore != null && r.getRole() == Role.WORKER) {
      try {
        resp.setResumeClock(restore.awaitRestored());
      } catch (java.io.IOException e) {
        throw Errors.notReady(e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Errors.notReady("AM shutting down");
      }
    }
    return resp;
  }

  @Override
  public HeartbeatResponse heartbeat(Heartbeat hb) throws PsError {
    try {
      state.heartbeat(hb.getRole(), hb.getIndex(), hb.getClock(), hb.getProgress(), hb.getMetrics());
    } catch (IllegalArgumentException e) {
      throw Errors.unknownPeer(e.getMessage());
    }
    return state.heartbeatResponse(hb.getRole(), hb.getIndex());
  }

  @Override
  public Layout getLayout() {
    return state.layout();
  }

  @Override
  public List<InputSplit> getSplits(int worker, String input) throws PsError {
    try {
      return state.splits(worker, input);
    } catch (IllegalArgumentException e) {
      throw Errors.unknownPeer(e.getMessage());
    }
  }

  @Override
  public void report(MetricsReport r) throws PsError {
    try {
      state.report(r.getWorker(), r.getClock(), r.getValues(), r.isIsFinal(), r.getLabels());
    } catch (IllegalArgumentException e) {
      throw Errors.unknownPeer(e.getMessage());
    }
    if (r.isIsFinal()) {
      LOG.info("final result from worker {}: {} {}", r.getWorker(), r.getValues(), r.getLabels());
    }
  }

  @Override
  public void barrier(int worker, String name) throws PsError {
    try {
      state.barrier(worker, name);
    } catch (IllegalArgumentException e) {
      throw Errors.unknownPeer(e.getMessage());
    } catch (IllegalStateException e) {
      throw Errors.notReady(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Errors.notReady("AM shutting down");
    }
  }

  @Override
  public void finish(FinishRequest r) throws PsError {
    try {
      state.finish(r.getRole(), r.getIndex(), r.isSuccess(), r.getDiagnostics());
    } catch (IllegalArgumentException e) {
      throw Errors.unknownPeer(e.getMessage());
    }
    LOG.info("{} {} finished: {}{}", r.getRole(), r.getIndex(), r.isSuccess() ? "success" : "failure",
        r.getDiagnostics().isEmpty() ? "" : " (" + r.getDiagnostics() + ")");
  }

  @Override
  public String requestCheckpoint(String reason) {
    if (checkpoints == null) {
      return "no checkpoint: this ApplicationMaster takes no checkpoints";
    }
    String answer = checkpoints.requestNow(reason);
    LOG.info("checkpoint requested ({}): {}", reason, answer);
    return answer;
  }
}
