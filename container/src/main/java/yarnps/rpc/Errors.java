package yarnps.rpc;

import yarnps.thrift.ErrorCode;
import yarnps.thrift.PsError;

/** Builds the IDL's {@link PsError} in one place, so every handler maps failures the same way. */
public final class Errors {
  private Errors() {}

  public static PsError badRequest(String message) {
    return new PsError(ErrorCode.BAD_REQUEST, message, false);
  }

  public static PsError notReady(String message) {
    return new PsError(ErrorCode.NOT_READY, message, true);
  }

  public static PsError wrongServer(String message) {
    return new PsError(ErrorCode.WRONG_SERVER, message, true);
  }

  public static PsError staleLayout(String message) {
    return new PsError(ErrorCode.STALE_LAYOUT, message, true);
  }

  /** The request named a key list by a signature this server does not hold; resend with the keys. */
  public static PsError keyCacheMiss(String message) {
    return new PsError(ErrorCode.KEY_CACHE_MISS, message, true);
  }

  /** The job is recovering a lost container: wait for a newer layout and resend. */
  public static PsError recovering(String message) {
    return new PsError(ErrorCode.RECOVERING, message, true);
  }

  public static PsError unknownPeer(String message) {
    return new PsError(ErrorCode.UNKNOWN_PEER, message, false);
  }

  /** An unexpected failure inside a handler; keeps the cause's class and message. */
  public static PsError internal(String what, Throwable cause) {
    String msg = cause.getMessage() == null ? cause.getClass().getName() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return new PsError(ErrorCode.INTERNAL, what + ": " + msg, false);
  }
}
