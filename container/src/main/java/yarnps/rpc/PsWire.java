package yarnps.rpc;

import static yarnps.rpc.net.ThriftWire.T_I32;
import static yarnps.rpc.net.ThriftWire.T_I64;
import static yarnps.rpc.net.ThriftWire.T_STOP;
import static yarnps.rpc.net.ThriftWire.T_STRING;
import static yarnps.rpc.net.ThriftWire.T_STRUCT;

import java.nio.ByteBuffer;
import yarnps.rpc.net.ThriftWire;
import yarnps.rpc.net.ThriftWire.WireException;
import yarnps.thrift.BlockCodec;
import yarnps.thrift.ErrorCode;
import yarnps.thrift.PsError;

/**
 * The data plane's hot messages, ParameterService {@code push} and {@code pull} and their
 * replies, written and read by hand in Thrift's binary protocol so that key and value blocks move
 * between primitive arrays and socket buffers without intermediate objects or copies. The bytes
 * are exactly what the generated code writes and reads for these calls (field order aside, which
 * Thrift does not fix), so a stock Thrift client or server interoperates; {@code PsWireTest}
 * checks both directions against the generated classes.
 *
 * <p>Writers leave the large binary fields last and back-patch their lengths, so a block can be
 * encoded (or compressed) straight into the message buffer.
 */
public final class PsWire {
  private PsWire() {}

  public static final String PUSH = "push";
  public static final String PULL = "pull";

  /** Bytes of everything in a push or pull message but the table name and the two blocks. */
  public static final int FIXED_OVERHEAD = 160;

  /** A decoded push or pull request: views of the frame's blocks, valid while the frame is. */
  public static final class Request {
    public String table;
    public long layoutVersion;
    public int numKeys = -1;
    /** The key block as sent (maybe compressed, maybe empty when keySignature names a cached list). */
    public ByteBuffer keys;
    /** The value block as sent (push only; maybe compressed). */
    public ByteBuffer values;
    public int worker = -1;
    public long clock;
    public long keySignature;
    /** The push's sequence number from its worker, or -1 when absent. */
    public long requestId = -1;
    /** Push: which slice of the worker's call this is, or -1 when absent. */
    public int part = -1;
    /** Push: forwarded by the previous server of a replication chain. */
    public boolean replica;
    public BlockCodec keyCodec = BlockCodec.NONE;
    public int rawKeyBytes = -1;
    public BlockCodec valueCodec = BlockCodec.NONE;
    public BlockCodec replyCodec = BlockCodec.NONE;

    void reset() {
      table = null;
      layoutVersion = 0;
      numKeys = -1;
      keys = null;
      values = null;
      worker = -1;
      clock = 0;
      keySignature = 0;
      requestId = -1;
      part = -1;
      replica = false;
      keyCodec = BlockCodec.NONE;
      rawKeyBytes = -1;
      valueCodec = BlockCodec.NONE;
      replyCodec = BlockCodec.NONE;
    }
  }

  // ---- requests ----------------------------------------------------------------------------

  /**
   * Writes the message header and the request's fixed fields; the caller then writes the key
   * block (and for a push the value block) with {@link #beginBinary}/{@link #endBinary}, then
   * {@link #requestCodecs} (which may come after the blocks, as Thrift does not order fields, so
   * a block can be sent raw when compressing it did not pay) and ends with {@link #endRequest}.
   * keySignature 0 and a negative requestId (push only) are left out.
   */
  public static void beginRequest(ByteBuffer b, boolean push, int seqid, String table, long layoutVersion,
      int numKeys, int worker, long clock, long keySignature, long requestId) {
    ThriftWire.messageBegin(b, push ? PUSH : PULL, ThriftWire.CALL, seqid);
    ThriftWire.field(b, T_STRUCT, 1);
    ThriftWire.stringField(b, 1, table);
    ThriftWire.i64Field(b, 2, layoutVersion);
    ThriftWire.i32Field(b, 3, numKeys);
    ThriftWire.i32Field(b, push ? 6 : 5, worker);
    ThriftWire.i64Field(b, push ? 7 : 6, clock);
    if (keySignature != 0) {
      ThriftWire.i64Field(b, push ? 8 : 7, keySignature);
    }
    if (push && requestId >= 0) {
      ThriftWire.i64Field(b, 12, requestId);
    }
  }

  /**
   * A push's place in its call and chain: part (left out when negative) and replica (left out
   * when false). Written anywhere between {@link #beginRequest} and {@link #endRequest}.
   */
  public static void pushChain(ByteBuffer b, int part, boolean replica) {
    if (part >= 0) {
      ThriftWire.i32Field(b, 13, part);
    }
    if (replica) {
      ThriftWire.boolField(b, 14, true);
    }
  }

  /**
   * The codecs of a request's blocks (push: the value block's; pull: the one the reply may use).
   * NONE is left out.
   */
  public static void requestCodecs(ByteBuffer b, boolean push, BlockCodec keyCodec, int rawKeyBytes,
      BlockCodec valueOrReplyCodec) {
    if (keyCodec != BlockCodec.NONE) {
      ThriftWire.i32Field(b, push ? 9 : 8, keyCodec.getValue());
      ThriftWire.i32Field(b, push ? 10 : 9, rawKeyBytes);
    }
    if (valueOrReplyCodec != BlockCodec.NONE) {
      ThriftWire.i32Field(b, push ? 11 : 10, valueOrReplyCodec.getValue());
    }
  }

  /** Field id of the key block in both requests. */
  public static final int KEYS_FIELD = 4;
  /** Field id of the value block of a push. */
  public static final int VALUES_FIELD = 5;

  /** Starts a binary field; returns the position of its length, for {@link #endBinary}. */
  public static int beginBinary(ByteBuffer b, int fieldId) {
    ThriftWire.field(b, T_STRING, fieldId);
    int at = b.position();
    b.putInt(0);
    return at;
  }

  /** Sets the length of the binary begun at lengthAt to the bytes written since. */
  public static void endBinary(ByteBuffer b, int lengthAt) {
    b.putInt(lengthAt, b.position() - lengthAt - 4);
  }

  public static void endRequest(ByteBuffer b) {
    ThriftWire.stop(b);
    ThriftWire.stop(b);
  }

  /** Reads a push or pull request (the frame positioned after the message header) into r. */
  public static void readRequest(ByteBuffer f, boolean push, Request r) {
    r.reset();
    boolean found = false;
    while (true) {
      byte t = ThriftWire.fieldType(f);
      if (t == T_STOP) {
        break;
      }
      short id = ThriftWire.fieldId(f);
      if (id == 1 && t == T_STRUCT) {
        readRequestStruct(f, push, r);
        found = true;
      } else {
        ThriftWire.skip(f, t);
      }
    }
    if (!found) {
      throw new WireException((push ? PUSH : PULL) + " call without its request argument");
    }
  }

  private static void readRequestStruct(ByteBuffer f, boolean push, Request r) {
    boolean haveLayout = false;
    boolean haveNumKeys = false;
    boolean haveWorker = false;
    boolean haveClock = false;
    while (true) {
      byte t = ThriftWire.fieldType(f);
      if (t == T_STOP) {
        break;
      }
      int id = ThriftWire.fieldId(f);
      int k = push || id < 5 ? id : id >= 11 ? -1 : id + 1;
      switch (t == fieldType(k) ? k : -1) {
        case 1 -> r.table = ThriftWire.readString(f, "table name", 1024);
        case 2 -> {
          r.layoutVersion = ThriftWire.i64(f, "layoutVersion");
          haveLayout = true;
        }
        case 3 -> {
          r.numKeys = ThriftWire.i32(f, "numKeys");
          haveNumKeys = true;
        }
        case 4 -> r.keys = binaryView(f, "key block");
        case 5 -> r.values = binaryView(f, "value block");
        case 6 -> {
          r.worker = ThriftWire.i32(f, "worker");
          haveWorker = true;
        }
        case 7 -> {
          r.clock = ThriftWire.i64(f, "clock");
          haveClock = true;
        }
        case 8 -> r.keySignature = ThriftWire.i64(f, "keySignature");
        case 12 -> r.requestId = ThriftWire.i64(f, "requestId");
        case 13 -> r.part = ThriftWire.i32(f, "part");
        case 14 -> r.replica = ThriftWire.bool(f, "replica");
        case 9 -> r.keyCodec = codec(ThriftWire.i32(f, "keyCodec"), "keyCodec");
        case 10 -> r.rawKeyBytes = ThriftWire.i32(f, "rawKeyBytes");
        case 11 -> {
          BlockCodec c = codec(ThriftWire.i32(f, push ? "valueCodec" : "replyCodec"), push ? "valueCodec" : "replyCodec");
          if (push) {
            r.valueCodec = c;
          } else {
            r.replyCodec = c;
          }
        }
        default -> ThriftWire.skip(f, t);
      }
    }
    String what = push ? "PushRequest" : "PullRequest";
    if (r.table == null || !haveLayout || !haveNumKeys || r.keys == null || !haveWorker || !haveClock
        || push && r.values == null) {
      throw new WireException(what + " lacks a required field (table, layoutVersion, numKeys, keys"
          + (push ? ", values" : "") + ", worker or clock)");
    }
  }

  /** The Thrift type of the push-numbered field k (pull ids shifted to match). */
  private static byte fieldType(int k) {
    return switch (k) {
      case 1, 4, 5 -> T_STRING;
      case 2, 7, 8 -> T_I64;
      case 12 -> T_I64;
      case 3, 6, 9, 10, 11, 13 -> T_I32;
      case 14 -> ThriftWire.T_BOOL;
      default -> -1;
    };
  }

  private static ByteBuffer binaryView(ByteBuffer f, String what) {
    int len = ThriftWire.binaryLength(f, what);
    ByteBuffer v = f.duplicate();
    v.limit(f.position() + len);
    f.position(f.position() + len);
    return v;
  }

  private static BlockCodec codec(int v, String what) {
    BlockCodec c = BlockCodec.findByValue(v);
    if (c == null) {
      throw new WireException(what + " " + v + " is not a known codec");
    }
    return c;
  }

  // ---- replies -----------------------------------------------------------------------------

  /** The reply to a push that succeeded. */
  public static void writePushOk(ByteBuffer b, int seqid) {
    ThriftWire.messageBegin(b, PUSH, ThriftWire.REPLY, seqid);
    ThriftWire.stop(b);
  }

  /**
   * Starts the reply to a successful pull; the caller writes the value block and calls
   * {@link #endPullOk} with the returned position.
   */
  public static int beginPullOk(ByteBuffer b, int seqid, int numKeys) {
    ThriftWire.messageBegin(b, PULL, ThriftWire.REPLY, seqid);
    ThriftWire.field(b, T_STRUCT, 0);
    ThriftWire.i32Field(b, 1, numKeys);
    return beginBinary(b, 2);
  }

  public static void endPullOk(ByteBuffer b, int lengthAt, BlockCodec valueCodec) {
    endBinary(b, lengthAt);
    if (valueCodec != BlockCodec.NONE) {
      ThriftWire.i32Field(b, 3, valueCodec.getValue());
    }
    ThriftWire.stop(b);
    ThriftWire.stop(b);
  }

  /** The reply of a push or pull that the server refused with e. */
  public static void writeError(ByteBuffer b, boolean push, int seqid, PsError e) {
    ThriftWire.messageBegin(b, push ? PUSH : PULL, ThriftWire.REPLY, seqid);
    ThriftWire.field(b, T_STRUCT, 1);
    ThriftWire.i32Field(b, 1, e.getCode().getValue());
    ThriftWire.stringField(b, 2, e.getMessage() == null ? "" : e.getMessage());
    ThriftWire.boolField(b, 3, e.isCanRetry());
    ThriftWire.stop(b);
    ThriftWire.stop(b);
  }

  /** Bytes {@link #writeError} takes at most. */
  public static int errorSize(PsError e) {
    return 64 + ThriftWire.stringSize(e.getMessage() == null ? "" : e.getMessage());
  }

  /** A decoded reply: the error, or for a pull the count and value block view. */
  public static final class Reply {
    public PsError error;
    public int numKeys = -1;
    public ByteBuffer values;
    public BlockCodec valueCodec = BlockCodec.NONE;
  }

  /**
   * Reads the reply of a push or pull (frame positioned after a header of type REPLY or
   * EXCEPTION). A Thrift application exception (unknown method, server-side protocol error)
   * becomes an INTERNAL error naming it.
   */
  public static Reply readReply(ByteBuffer f, byte messageType, boolean push) {
    Reply r = new Reply();
    if (messageType == ThriftWire.EXCEPTION) {
      String msg = "application exception";
      while (true) {
        byte t = ThriftWire.fieldType(f);
        if (t == T_STOP) {
          break;
        }
        short id = ThriftWire.fieldId(f);
        if (id == 1 && t == T_STRING) {
          msg = ThriftWire.readString(f, "exception message", 1 << 20);
        } else {
          ThriftWire.skip(f, t);
        }
      }
      r.error = new PsError(ErrorCode.INTERNAL, "server raised: " + msg, false);
      return r;
    }
    if (messageType != ThriftWire.REPLY) {
      throw new WireException("expected a reply, got message type " + messageType);
    }
    while (true) {
      byte t = ThriftWire.fieldType(f);
      if (t == T_STOP) {
        break;
      }
      short id = ThriftWire.fieldId(f);
      if (id == 1 && t == T_STRUCT) {
        r.error = readError(f);
      } else if (id == 0 && t == T_STRUCT && !push) {
        readPullResponse(f, r);
      } else {
        ThriftWire.skip(f, t);
      }
    }
    if (!push && r.error == null && (r.values == null || r.numKeys < 0)) {
      throw new WireException("pull reply carries neither a result nor an error");
    }
    return r;
  }

  private static void readPullResponse(ByteBuffer f, Reply r) {
    while (true) {
      byte t = ThriftWire.fieldType(f);
      if (t == T_STOP) {
        return;
      }
      short id = ThriftWire.fieldId(f);
      if (id == 1 && t == T_I32) {
        r.numKeys = ThriftWire.i32(f, "numKeys");
      } else if (id == 2 && t == T_STRING) {
        r.values = binaryView(f, "value block");
      } else if (id == 3 && t == T_I32) {
        r.valueCodec = codec(ThriftWire.i32(f, "valueCodec"), "valueCodec");
      } else {
        ThriftWire.skip(f, t);
      }
    }
  }

  private static PsError readError(ByteBuffer f) {
    ErrorCode code = ErrorCode.INTERNAL;
    String message = "";
    boolean canRetry = false;
    while (true) {
      byte t = ThriftWire.fieldType(f);
      if (t == T_STOP) {
        break;
      }
      short id = ThriftWire.fieldId(f);
      if (id == 1 && t == T_I32) {
        ErrorCode c = ErrorCode.findByValue(ThriftWire.i32(f, "error code"));
        code = c == null ? ErrorCode.INTERNAL : c;
      } else if (id == 2 && t == T_STRING) {
        message = ThriftWire.readString(f, "error message", 1 << 20);
      } else if (id == 3 && t == ThriftWire.T_BOOL) {
        canRetry = ThriftWire.bool(f, "canRetry");
      } else {
        ThriftWire.skip(f, t);
      }
    }
    return new PsError(code, message, canRetry);
  }
}
