package yarnps.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.common.KeyCodec;
import yarnps.common.Replicas;
import yarnps.rpc.Errors;
import yarnps.rpc.Rpc;
import yarnps.thrift.ParameterService;
import yarnps.thrift.PeerState;
import yarnps.thrift.PsError;
import yarnps.thrift.RangeChunk;
import yarnps.thrift.ServerAddress;

/**
 * Restoring a replacement server from live peers under chain replication: the serving side
 * ({@link #fetch}, {@link #state}) and the replacement's side ({@link #recover}).
 *
 * <p>The replacement copies every range it holds: a range it owns from the first live server of
 * the range's replicas (in chain order), a range it replicates from the range's primary (then the
 * other replicas), page by page with {@code fetchRange}; each page is a copy taken under the
 * range's lock. Then it merges every live peer's {@code peerState}: per worker the highest clock,
 * whether it left, and the applied request ids of the ranges the replacement holds. This is
 * correct because, when the AM calls it, the survivors already refuse the old layout's requests,
 * so nothing is applied while the copy runs; and along a chain a server upstream has stored
 * everything one downstream has, so the ids merged from all peers are those of the copied rows.
 */
final class PeerRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(PeerRecovery.class);

  private PeerRecovery() {}

  /** A page of range r's rows after afterKey: keys as a key block, full rows as float32 little-endian. */
  static RangeChunk fetch(TableShards t, int self, int range, long afterKey, boolean first, int maxRows)
      throws PsError {
    if (range < 0 || range >= t.numRanges() || !t.holds(range)) {
      throw Errors.wrongServer("server " + self + " holds no copy of range " + range + " of table " + t.spec().name());
    }
    if (maxRows < 1) {
      throw Errors.badRequest("fetchRange " + t.spec().name() + " range " + range + ": maxRows must be >= 1, got "
          + maxRows);
    }
    TableShards.Page page = t.page(range, afterKey, first, maxRows);
    int n = page.n();
    int stride = page.stride();
    byte[] block = new byte[KeyCodec.maxEncodedSize(n)];
    int len = KeyCodec.encode(page.keys(), 0, n, block, 0);
    ByteBuffer rb = ByteBuffer.allocate(4 * n * stride).order(ByteOrder.LITTLE_ENDIAN);
    rb.asFloatBuffer().put(page.rows(), 0, n * stride);
    return new RangeChunk(n, ByteBuffer.wrap(block, 0, len), rb, stride, n < maxRows);
  }

  /** This server's clocks, left flags and applied ids (see {@link AppliedIds#export}). */
  static PeerState state(ClockGroup clocks, AppliedIds applied) {
    int w = clocks.numWorkers();
    List<Long> c = new ArrayList<>(w);
    List<Boolean> left = new ArrayList<>(w);
    Map<Integer, List<Long>> ids = new HashMap<>();
    for (int i = 0; i < w; i++) {
      c.add(clocks.clockOf(i));
      left.add(clocks.hasLeft(i));
      List<Long> e = applied.export(i);
      if (!e.isEmpty()) {
        ids.put(i, e);
      }
    }
    return new PeerState(c, left, ids);
  }

  /**
   * Fills every range self holds from live peers and merges their state; returns the rows copied.
   *
   * @throws IOException naming the range when no live server holds a copy of it
   */
  static long recover(int self, Map<String, TableShards> tables, Replicas rep, ServerAddress[] addresses,
      ClockGroup clocks, AppliedIds applied, int maxFrameBytes, int timeoutMs) throws IOException {
    Map<Integer, Peer> peers = new HashMap<>();
    try {
      long rows = 0;
      int numRanges = rep.layout().numRanges();
      boolean[] held = new boolean[numRanges];
      for (int r = 0; r < numRanges; r++) {
        held[r] = rep.holds(r, self);
        if (!held[r]) {
          continue;
        }
        List<Integer> sources = new ArrayList<>();
        if (rep.layout().owner(r) != self) {
          sources.add(rep.layout().owner(r));
        }
        for (int i = 0; i < rep.copies(); i++) {
          if (rep.replica(r, i) != self) {
            sources.add(rep.replica(r, i));
          }
        }
        rows += copyRange(r, sources, tables, peers, addresses, maxFrameBytes, timeoutMs);
      }
      int live = 0;
      for (int s = 0; s < addresses.length; s++) {
        if (s == self) {
          continue;
        }
        PeerState st;
        try {
          st = peer(s, peers, addresses, maxFrameBytes, timeoutMs).client.peerState();
        } catch (TException | IOException e) {
          LOG.warn("server {}: no peer state from server {}: {}", self, s, e.toString());
          continue;
        }
        live++;
        for (int w = 0; w < st.getWorkerClocksSize(); w++) {
          clocks.update(w, st.getWorkerClocks().get(w), st.getWorkersLeft().get(w));
        }
        for (Map.Entry<Integer, List<Long>> e : st.getApplied().entrySet()) {
          applied.importFrom(e.getKey(), e.getValue(), held);
        }
      }
      if (live == 0 && addresses.length > 1) {
        throw new IOException("server " + self + ": no peer answered peerState");
      }
      return rows;
    } finally {
      peers.values().forEach(p -> p.protocol.getTransport().close());
    }
  }

  private static long copyRange(int r, List<Integer> sources, Map<String, TableShards> tables,
      Map<Integer, Peer> peers, ServerAddress[] addresses, int maxFrameBytes, int timeoutMs) throws IOException {
    IOException last = null;
    for (int s : sources) {
      try {
        Peer p = peer(s, peers, addresses, maxFrameBytes, timeoutMs);
        long rows = 0;
        for (TableShards t : tables.values()) {
          rows += copyTable(p.client, t, r, maxFrameBytes);
        }
        return rows;
      } catch (TException | IOException e) {
        last = new IOException("range " + r + " from server " + s + ": " + e, e);
        Peer dead = peers.remove(s);
        if (dead != null) {
          dead.protocol.getTransport().close();
        }
      }
    }
    throw new IOException("no live server holds a copy of range " + r + " (tried " + sources + ")", last);
  }

  private static long copyTable(ParameterService.Client c, TableShards t, int r, int maxFrameBytes) throws TException {
    int stride = t.stride();
    int maxRows = Math.max(1, Math.min(1 << 16, maxFrameBytes / 2 / (4 * stride + 10)));
    long after = -1;
    boolean first = true;
    long rows = 0;
    long[] keys = new long[maxRows];
    float[] vals = new float[maxRows * stride];
    while (true) {
      RangeChunk page = c.fetchRange(t.spec().name(), r, after, first, maxRows);
      int n = page.getNumKeys();
      if (page.getStride() != stride || n > maxRows) {
        throw new TException("range " + r + " of " + t.spec().name() + ": peer sent " + n + " rows of stride "
            + page.getStride() + ", expected at most " + maxRows + " of stride " + stride);
      }
      KeyCodec.decode(page.bufferForKeys(), n, keys, 0);
      page.bufferForRows().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vals, 0, n * stride);
      t.putRows(r, keys, vals, n);
      rows += n;
      if (page.isDone() || n == 0) {
        return rows;
      }
      after = keys[n - 1];
      first = false;
    }
  }

  private record Peer(TProtocol protocol, ParameterService.Client client) {}

  private static Peer peer(int s, Map<Integer, Peer> peers, ServerAddress[] addresses, int maxFrameBytes,
      int timeoutMs) throws IOException {
    Peer p = peers.get(s);
    if (p != null) {
      return p;
    }
    ServerAddress a = addresses[s];
    if (a == null) {
      throw new IOException("no address of server " + s);
    }
    try {
      TProtocol protocol = Rpc.connect(a.getHost(), a.getPort(), maxFrameBytes, timeoutMs);
      p = new Peer(protocol, new ParameterService.Client(protocol));
    } catch (TException e) {
      throw new IOException("cannot reach server " + s + " at " + a.getHost() + ":" + a.getPort() + ": " + e, e);
    }
    peers.put(s, p);
    return p;
  }
}
