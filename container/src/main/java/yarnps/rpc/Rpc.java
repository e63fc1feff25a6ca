package yarnps.rpc;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TProcessor;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.server.TServer;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.TTransportFactory;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * How every yarn-ps peer speaks Thrift: framed transport, binary protocol, bounded frames, TCP
 * no-delay. The one place that builds servers and client protocols, so both ends agree.
 */
public final class Rpc {
  private Rpc() {}

  /** A started server and the port it listens on. */
  public record Server(TServer server, int port, Thread thread) {
    public void stop() {
      server.stop();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Starts a thread-per-connection server on {@code port} (0 for any free port) of all local
   * addresses, in a daemon thread named {@code name}. A frame over {@code maxFrameBytes} or a
   * garbage frame closes that connection only; the server keeps serving.
   */
  public static Server startServer(String name, TProcessor processor, int port, int maxFrameBytes,
      int maxThreads) throws TTransportException {
    TServerSocket socket = new TServerSocket(new TServerSocket.ServerSocketTransportArgs()
        .bindAddr(new InetSocketAddress(port)).backlog(256));
    TThreadPoolServer.Args args = new TThreadPoolServer.Args(socket)
        .processor(processor)
        .transportFactory(new BoundedFramedFactory(maxFrameBytes))
        .protocolFactory(new TBinaryProtocol.Factory())
        .minWorkerThreads(2)
        .maxWorkerThreads(maxThreads);
    TThreadPoolServer server = new TThreadPoolServer(args);
    Thread t = new Thread(server::serve, name);
    t.setDaemon(true);
    t.start();
    return new Server(server, socket.getServerSocket().getLocalPort(), t);
  }

  /** Opens a client protocol to host:port. Close it with {@code protocol.getTransport().close()}. */
  public static TProtocol connect(String host, int port, int maxFrameBytes, int timeoutMs)
      throws TTransportException {
    TConfiguration conf = new TConfiguration(maxFrameBytes, maxFrameBytes, TConfiguration.DEFAULT_RECURSION_DEPTH);
    TSocket socket = new TSocket(conf, host, port, timeoutMs, timeoutMs);
    TFramedTransport framed = new TFramedTransport(socket, maxFrameBytes);
    framed.open();
    try {
      socket.getSocket().setTcpNoDelay(true);
    } catch (java.net.SocketException e) {
      framed.close();
      throw new TTransportException(e);
    }
    return new TBinaryProtocol(framed);
  }

  /** Frames of up to maxFrameBytes; raises the per-connection message limit to match. */
  private static final class BoundedFramedFactory extends TTransportFactory {
    private final int maxFrameBytes;

    BoundedFramedFactory(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public TTransport getTransport(TTransport base) throws TTransportException {
      base.getConfiguration().setMaxMessageSize(maxFrameBytes);
      if (base instanceof org.apache.thrift.transport.TEndpointTransport endpoint) {
        // The socket cached the default limit when it was accepted; make it take the new one now.
        endpoint.updateKnownMessageSize(0);
      }
      if (base instanceof TSocket s) {
        try {
          s.getSocket().setTcpNoDelay(true);
        } catch (java.net.SocketException e) {
          throw new TTransportException(e);
        }
      }
      return new TFramedTransport(base, maxFrameBytes);
    }
  }
}
