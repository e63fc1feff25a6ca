package yarnps.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.junit.jupiter.api.Test;
import yarnps.rpc.net.ThriftWire;
import yarnps.thrift.BlockCodec;
import yarnps.thrift.ErrorCode;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PsError;
import yarnps.thrift.PullRequest;
import yarnps.thrift.PullResponse;
import yarnps.thrift.PushRequest;

/** The hand-written data-plane messages against the generated Thrift code, both directions. */
class PsWireTest {
  private static final byte[] KEYS = {1, 2, 3, 4, 5};
  private static final byte[] VALUES = {9, 8, 7, 6, 5, 4, 3, 2};

  private static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] a = new byte[d.remaining()];
    d.get(a);
    return a;
  }

  private static ByteBuffer ours(boolean push, boolean direct, long signature, BlockCodec keyCodec, BlockCodec other) {
    ByteBuffer b = direct ? ByteBuffer.allocateDirect(1024) : ByteBuffer.allocate(1024);
    PsWire.beginRequest(b, push, 77, "weights", 5, 3, 2, 11, signature, push ? 123 : -1);
    int at = PsWire.beginBinary(b, PsWire.KEYS_FIELD);
    b.put(KEYS);
    PsWire.endBinary(b, at);
    if (push) {
      at = PsWire.beginBinary(b, PsWire.VALUES_FIELD);
      b.put(VALUES);
      PsWire.endBinary(b, at);
    }
    PsWire.requestCodecs(b, push, keyCodec, 42, other);
    PsWire.endRequest(b);
    b.flip();
    return b;
  }

  /** A push with the chain fields, part and replica, after its blocks (Thrift does not order fields). */
  private static ByteBuffer oursChained(int part, boolean replica) {
    ByteBuffer b = ByteBuffer.allocate(1024);
    PsWire.beginRequest(b, true, 4, "weights", 5, 3, 2, 11, 0, (11L << 24) | 6);
    int at = PsWire.beginBinary(b, PsWire.KEYS_FIELD);
    b.put(KEYS);
    PsWire.endBinary(b, at);
    at = PsWire.beginBinary(b, PsWire.VALUES_FIELD);
    b.put(VALUES);
    PsWire.endBinary(b, at);
    PsWire.pushChain(b, part, replica);
    PsWire.requestCodecs(b, true, BlockCodec.NONE, 0, BlockCodec.NONE);
    PsWire.endRequest(b);
    b.flip();
    return b;
  }

  @Test
  void partAndReplicaRoundTripBothWays() throws Exception {
    TBinaryProtocol in = reader(oursChained(7, true));
    in.readMessageBegin();
    ParameterService.push_args args = new ParameterService.push_args();
    args.read(in);
    assertEquals(7, args.getRequest().getPart());
    assertTrue(args.getRequest().isReplica());
    assertEquals((11L << 24) | 6, args.getRequest().getRequestId());

    in = reader(oursChained(-1, false));
    in.readMessageBegin();
    args = new ParameterService.push_args();
    args.read(in);
    assertTrue(!args.getRequest().isSetPart() && !args.getRequest().isSetReplica(), "absent when not set");

    PushRequest push = new PushRequest("t", 9, 3, ByteBuffer.wrap(KEYS), ByteBuffer.wrap(VALUES), 4, 17);
    push.setPart(65535);
    push.setReplica(true);
    PsWire.Request r = roundTrip("push", new ParameterService.push_args(push), true);
    assertEquals(65535, r.part);
    assertTrue(r.replica);
    push.unsetPart();
    push.setReplica(false);
    r = roundTrip("push", new ParameterService.push_args(push), true);
    assertEquals(-1, r.part);
    assertTrue(!r.replica);

    ByteBuffer f = oursChained(3, false);
    ThriftWire.MessageHeader h = new ThriftWire.MessageHeader();
    ThriftWire.readMessageBegin(f, h);
    PsWire.Request mine = new PsWire.Request();
    PsWire.readRequest(f, true, mine);
    assertEquals(3, mine.part);
    assertTrue(!mine.replica);
    assertArrayEquals(VALUES, bytes(mine.values));
  }

  private static TBinaryProtocol reader(ByteBuffer b) throws Exception {
    return new TBinaryProtocol(new TMemoryInputTransport(bytes(b)));
  }

  @Test
  void ourPushIsReadByTheGeneratedCode() throws Exception {
    for (boolean direct : new boolean[] {false, true}) {
      TBinaryProtocol in = reader(ours(true, direct, 0xabcdefL, BlockCodec.LZ4, BlockCodec.SNAPPY));
      TMessage m = in.readMessageBegin();
      assertEquals("push", m.name);
      assertEquals(TMessageType.CALL, m.type);
      assertEquals(77, m.seqid);
      ParameterService.push_args args = new ParameterService.push_args();
      args.read(in);
      PushRequest r = args.getRequest();
      assertEquals("weights", r.getTable());
      assertEquals(5, r.getLayoutVersion());
      assertEquals(3, r.getNumKeys());
      assertEquals(2, r.getWorker());
      assertEquals(11, r.getClock());
      assertEquals(0xabcdefL, r.getKeySignature());
      assertEquals(BlockCodec.LZ4, r.getKeyCodec());
      assertEquals(42, r.getRawKeyBytes());
      assertEquals(BlockCodec.SNAPPY, r.getValueCodec());
      assertEquals(123, r.getRequestId());
      assertArrayEquals(KEYS, r.getKeys());
      assertArrayEquals(VALUES, r.getValues());
    }
  }

  @Test
  void ourPullWithoutOptionsIsReadByTheGeneratedCode() throws Exception {
    TBinaryProtocol in = reader(ours(false, false, 0, BlockCodec.NONE, BlockCodec.NONE));
    assertEquals("pull", in.readMessageBegin().name);
    ParameterService.pull_args args = new ParameterService.pull_args();
    args.read(in);
    PullRequest r = args.getRequest();
    assertEquals(3, r.getNumKeys());
    assertArrayEquals(KEYS, r.getKeys());
    assertTrue(!r.isSetKeySignature() && !r.isSetKeyCodec() && !r.isSetReplyCodec());
  }

  @Test
  void theGeneratedRequestsAreReadByOurs() throws Exception {
    PushRequest push = new PushRequest("t", 9, 3, ByteBuffer.wrap(KEYS), ByteBuffer.wrap(VALUES), 4, 17);
    push.setKeySignature(-5L);
    push.setValueCodec(BlockCodec.LZ4);
    push.setRequestId(31);
    PsWire.Request r = roundTrip("push", new ParameterService.push_args(push), true);
    assertEquals("t", r.table);
    assertEquals(9, r.layoutVersion);
    assertEquals(3, r.numKeys);
    assertEquals(4, r.worker);
    assertEquals(17, r.clock);
    assertEquals(-5L, r.keySignature);
    assertEquals(31, r.requestId);
    assertEquals(BlockCodec.NONE, r.keyCodec);
    assertEquals(BlockCodec.LZ4, r.valueCodec);
    assertArrayEquals(KEYS, bytes(r.keys));
    assertArrayEquals(VALUES, bytes(r.values));

    PullRequest pull = new PullRequest("u", 2, 3, ByteBuffer.wrap(KEYS), 1, 8);
    pull.setReplyCodec(BlockCodec.SNAPPY);
    pull.setKeyCodec(BlockCodec.LZ4);
    pull.setRawKeyBytes(99);
    PsWire.Request p = roundTrip("pull", new ParameterService.pull_args(pull), false);
    assertEquals("u", p.table);
    assertEquals(1, p.worker);
    assertEquals(8, p.clock);
    assertEquals(BlockCodec.SNAPPY, p.replyCodec);
    assertEquals(BlockCodec.LZ4, p.keyCodec);
    assertEquals(99, p.rawKeyBytes);
    assertNull(p.values);
  }

  private static PsWire.Request roundTrip(String method, org.apache.thrift.TBase<?, ?> args, boolean push)
      throws Exception {
    TMemoryBuffer out = new TMemoryBuffer(256);
    TBinaryProtocol p = new TBinaryProtocol(out);
    p.writeMessageBegin(new TMessage(method, TMessageType.CALL, 3));
    args.write(p);
    p.writeMessageEnd();
    ByteBuffer f = ByteBuffer.wrap(Arrays.copyOf(out.getArray(), out.length()));
    ThriftWire.MessageHeader h = new ThriftWire.MessageHeader();
    ThriftWire.readMessageBegin(f, h);
    assertEquals(method, h.name);
    assertEquals(3, h.seqid);
    PsWire.Request r = new PsWire.Request();
    PsWire.readRequest(f, push, r);
    assertEquals(0, f.remaining(), "the whole message is consumed");
    return r;
  }

  @Test
  void repliesRoundTripBothWays() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(1024);
    int at = PsWire.beginPullOk(b, 5, 2);
    b.put(VALUES);
    PsWire.endPullOk(b, at, BlockCodec.LZ4);
    b.flip();
    TBinaryProtocol in = reader(b);
    TMessage m = in.readMessageBegin();
    assertEquals(TMessageType.REPLY, m.type);
    ParameterService.pull_result res = new ParameterService.pull_result();
    res.read(in);
    PullResponse resp = res.getSuccess();
    assertEquals(2, resp.getNumKeys());
    assertArrayEquals(VALUES, resp.getValues());
    assertEquals(BlockCodec.LZ4, resp.getValueCodec());

    ByteBuffer e = ByteBuffer.allocate(1024);
    PsWire.writeError(e, true, 6, new PsError(ErrorCode.KEY_CACHE_MISS, "gone", true));
    e.flip();
    in = reader(e);
    in.readMessageBegin();
    ParameterService.push_result pr = new ParameterService.push_result();
    pr.read(in);
    assertEquals(ErrorCode.KEY_CACHE_MISS, pr.getError().getCode());
    assertEquals("gone", pr.getError().getMessage());

    TMemoryBuffer out = new TMemoryBuffer(256);
    TBinaryProtocol w = new TBinaryProtocol(out);
    w.writeMessageBegin(new TMessage("pull", TMessageType.REPLY, 1));
    new ParameterService.pull_result(new PullResponse(2, ByteBuffer.wrap(VALUES)), null).write(w);
    ByteBuffer f = ByteBuffer.wrap(Arrays.copyOf(out.getArray(), out.length()));
    ThriftWire.MessageHeader h = new ThriftWire.MessageHeader();
    ThriftWire.readMessageBegin(f, h);
    PsWire.Reply r = PsWire.readReply(f, h.type, false);
    assertNull(r.error);
    assertEquals(2, r.numKeys);
    assertArrayEquals(VALUES, bytes(r.values));
  }

  @Test
  void malformedMessagesAreRefusedByName() {
    ByteBuffer good = ours(true, false, 0, BlockCodec.NONE, BlockCodec.NONE);
    ThriftWire.MessageHeader h = new ThriftWire.MessageHeader();
    for (int cut = 1; cut < good.limit(); cut += 3) {
      ByteBuffer f = good.duplicate();
      f.limit(cut);
      assertThrows(ThriftWire.WireException.class, () -> {
        ThriftWire.readMessageBegin(f, h);
        PsWire.readRequest(f, true, new PsWire.Request());
      }, "message cut at " + cut);
    }
    ByteBuffer noArgs = ByteBuffer.allocate(64);
    ThriftWire.messageBegin(noArgs, "push", ThriftWire.CALL, 1);
    ThriftWire.stop(noArgs);
    noArgs.flip();
    ThriftWire.readMessageBegin(noArgs, h);
    ThriftWire.WireException e = assertThrows(ThriftWire.WireException.class,
        () -> PsWire.readRequest(noArgs, true, new PsWire.Request()));
    assertTrue(e.getMessage().contains("request argument"), e.getMessage());
    ByteBuffer notThrift = ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThrows(ThriftWire.WireException.class, () -> ThriftWire.readMessageBegin(notThrift, h));
  }
}
