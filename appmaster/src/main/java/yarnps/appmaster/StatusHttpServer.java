package yarnps.appmaster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AM's tracking page: {@code /} is a plain HTML status page, {@code /api/status} the same as
 * JSON. Links are relative so the page works through the RM's web proxy.
 */
final class StatusHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusHttpServer.class);

  private final HttpServer server;
  private final java.util.concurrent.ExecutorService executor;

  StatusHttpServer(StatusView view) throws IOException {
    server = HttpServer.create(new InetSocketAddress(0), 16);
    server.createContext("/api/status", ex -> send(ex, "application/json", view.json()));
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      if (!path.equals("/") && !path.isEmpty()) {
        send(ex, 404, "text/plain", "not found: " + path + "\n");
        return;
      }
      send(ex, "text/html; charset=utf-8", view.html());
    });
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "am-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void send(HttpExchange ex, String type, String body) throws IOException {
    send(ex, 200, type, body);
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    try (ex) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      ex.sendResponseHeaders(code, bytes.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(bytes);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("status request failed", e);
      throw e;
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
