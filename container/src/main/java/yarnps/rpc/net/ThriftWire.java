package yarnps.rpc.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Thrift's binary protocol (strict) written to and read from {@link ByteBuffer}s directly, heap or
 * direct, big-endian, without per-field objects. The data plane encodes its hot messages with it
 * so that key and value blocks go straight between primitive arrays and socket buffers; every
 * message it writes is one that the generated code and any Thrift peer read, and the reader skips
 * fields it does not know, as generated code does.
 *
 * <p>Readers throw {@link WireException} on anything malformed (short buffer, bad type, negative
 * length, nesting too deep); the message names what was being read.
 */
public final class ThriftWire {
  private ThriftWire() {}

  public static final int VERSION_1 = 0x80010000;
  public static final byte CALL = 1;
  public static final byte REPLY = 2;
  public static final byte EXCEPTION = 3;
  public static final byte ONEWAY = 4;

  public static final byte T_STOP = 0;
  public static final byte T_BOOL = 2;
  public static final byte T_BYTE = 3;
  public static final byte T_DOUBLE = 4;
  public static final byte T_I16 = 6;
  public static final byte T_I32 = 8;
  public static final byte T_I64 = 10;
  public static final byte T_STRING = 11;
  public static final byte T_STRUCT = 12;
  public static final byte T_MAP = 13;
  public static final byte T_SET = 14;
  public static final byte T_LIST = 15;

  private static final int MAX_DEPTH = 64;

  /** A message that cannot be read; the text says which part. */
  public static final class WireException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WireException(String message) {
      super(message);
    }
  }

  // ---- writing ------------------------------------------------------------------------------

  public static void messageBegin(ByteBuffer b, String name, byte type, int seqid) {
    b.putInt(VERSION_1 | (type & 0xFF));
    string(b, name);
    b.putInt(seqid);
  }

  public static void field(ByteBuffer b, byte type, int id) {
    b.put(type);
    b.putShort((short) id);
  }

  public static void stop(ByteBuffer b) {
    b.put(T_STOP);
  }

  public static void i32Field(ByteBuffer b, int id, int v) {
    field(b, T_I32, id);
    b.putInt(v);
  }

  public static void i64Field(ByteBuffer b, int id, long v) {
    field(b, T_I64, id);
    b.putLong(v);
  }

  public static void boolField(ByteBuffer b, int id, boolean v) {
    field(b, T_BOOL, id);
    b.put(v ? (byte) 1 : (byte) 0);
  }

  public static void stringField(ByteBuffer b, int id, String v) {
    field(b, T_STRING, id);
    string(b, v);
  }

  public static void string(ByteBuffer b, String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    b.putInt(utf8.length);
    b.put(utf8);
  }

  /** Bytes {@link #string} takes at most for s. */
  public static int stringSize(String s) {
    return 4 + 3 * s.length();
  }

  // ---- reading ------------------------------------------------------------------------------

  /** The header of a message: its name, type and sequence id. */
  public static final class MessageHeader {
    public String name;
    public byte type;
    public int seqid;
  }

  /**
   * Reads a strict message header into h. Old-style (non-strict) headers are refused: no yarn-ps
   * peer writes them.
   */
  public static void readMessageBegin(ByteBuffer b, MessageHeader h) {
    int v = i32(b, "message header");
    if ((v & 0xFFFF0000) != VERSION_1) {
      throw new WireException(String.format("not a Thrift binary-protocol message (header 0x%08x)", v));
    }
    h.type = (byte) (v & 0xFF);
    h.name = readString(b, "method name", 256);
    h.seqid = i32(b, "sequence id");
  }

  public static byte fieldType(ByteBuffer b) {
    need(b, 1, "field type");
    return b.get();
  }

  public static short fieldId(ByteBuffer b) {
    need(b, 2, "field id");
    return b.getShort();
  }

  public static int i32(ByteBuffer b, String what) {
    need(b, 4, what);
    return b.getInt();
  }

  public static long i64(ByteBuffer b, String what) {
    need(b, 8, what);
    return b.getLong();
  }

  public static boolean bool(ByteBuffer b, String what) {
    need(b, 1, what);
    return b.get() != 0;
  }

  /** Reads a string of at most maxBytes UTF-8 bytes. */
  public static String readString(ByteBuffer b, String what, int maxBytes) {
    int len = binaryLength(b, what);
    if (len > maxBytes) {
      throw new WireException(what + " is " + len + " bytes, over the limit of " + maxBytes);
    }
    byte[] a = new byte[len];
    b.get(a);
    return new String(a, StandardCharsets.UTF_8);
  }

  /** Reads a binary's length and checks that its bytes follow; the position is then at the first byte. */
  public static int binaryLength(ByteBuffer b, String what) {
    int len = i32(b, what + " length");
    if (len < 0) {
      throw new WireException(what + " has negative length " + len);
    }
    need(b, len, what);
    return len;
  }

  /** Skips one value of the given type, nested containers included. */
  public static void skip(ByteBuffer b, byte type) {
    skip(b, type, 0);
  }

  private static void skip(ByteBuffer b, byte type, int depth) {
    if (depth > MAX_DEPTH) {
      throw new WireException("message nests deeper than " + MAX_DEPTH + " levels");
    }
    switch (type) {
      case T_BOOL, T_BYTE -> advance(b, 1);
      case T_I16 -> advance(b, 2);
      case T_I32 -> advance(b, 4);
      case T_I64, T_DOUBLE -> advance(b, 8);
      case T_STRING -> advance(b, binaryLength(b, "binary"));
      case T_STRUCT -> {
        while (true) {
          byte t = fieldType(b);
          if (t == T_STOP) {
            return;
          }
          fieldId(b);
          skip(b, t, depth + 1);
        }
      }
      case T_MAP -> {
        need(b, 2, "map header");
        byte kt = b.get();
        byte vt = b.get();
        int n = count(b, "map size");
        for (int i = 0; i < n; i++) {
          skip(b, kt, depth + 1);
          skip(b, vt, depth + 1);
        }
      }
      case T_SET, T_LIST -> {
        need(b, 1, "list header");
        byte et = b.get();
        int n = count(b, "list size");
        for (int i = 0; i < n; i++) {
          skip(b, et, depth + 1);
        }
      }
      default -> throw new WireException("unknown Thrift type " + type);
    }
  }

  private static int count(ByteBuffer b, String what) {
    int n = i32(b, what);
    if (n < 0 || n > b.remaining()) {
      throw new WireException(what + " " + n + " does not fit the " + b.remaining() + " bytes left");
    }
    return n;
  }

  private static void advance(ByteBuffer b, int n) {
    need(b, n, "value");
    b.position(b.position() + n);
  }

  /** Throws unless b has n more bytes. */
  public static void need(ByteBuffer b, int n, String what) {
    if (b.remaining() < n) {
      throw new WireException("message ends inside " + what + " (" + b.remaining() + " of " + n + " bytes left)");
    }
  }
}
