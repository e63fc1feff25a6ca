package yarnps.runtime;

/** Exit codes of the AM, server and worker JVMs; the AM's diagnostics name them. */
public final class ExitCodes {
  private ExitCodes() {}

  public static final int OK = 0;
  /** The job (user code, or bad input under the fail policy) failed. */
  public static final int JOB_FAILED = 10;
  /** The container could not start: bad environment, config, or unreachable AM. */
  public static final int STARTUP_FAILED = 11;
  /** The AM told the container to abort because the job failed elsewhere. */
  public static final int ABORTED = 12;
  /** An unexpected error in yarn-ps itself. */
  public static final int INTERNAL_ERROR = 13;

  public static String describe(int code) {
    switch (code) {
      case OK: return "ok";
      case JOB_FAILED: return "job failed";
      case STARTUP_FAILED: return "start-up failed";
      case ABORTED: return "aborted by the AM";
      case INTERNAL_ERROR: return "internal error";
      case 137: return "killed (SIGKILL, often out of memory)";
      case 143: return "terminated (SIGTERM)";
      default: return "exit code " + code;
    }
  }
}
