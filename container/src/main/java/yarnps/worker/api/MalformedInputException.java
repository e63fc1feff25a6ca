package yarnps.worker.api;

/** A line of input could not be parsed and the job's policy is to fail; the message names file and line. */
public class MalformedInputException extends java.io.IOException {
  private static final long serialVersionUID = 1L;

  public MalformedInputException(String file, long line, String reason) {
    super(file + ":" + line + ": " + reason);
  }
}
