package yarnps.appmaster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import javax.servlet.DispatcherType;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AM's web server: the tracking page at {@code /} and the JSON API under {@code /api/v1/}
 * ({@code status}, {@code servers}, {@code workers}, {@code metrics}, {@code checkpoints},
 * {@code recoveries}, {@code events}); {@code /api/status} is kept as an alias of {@code /api/v1/status}.
 *
 * <p>It runs on the Jetty that Hadoop ships (on every YARN container's classpath), because the
 * ResourceManager's proxy filter, {@link ProxyFilter}, is a servlet filter. When filter
 * parameters are given, Hadoop's {@code AmIpFilter} guards every path.
 */
final class StatusHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusHttpServer.class);

  private final Server server;
  private final ServerConnector connector;

  /**
   * Starts serving on an ephemeral port of every interface.
   *
   * @param proxyFilterParams the {@code AmIpFilter}'s init parameters, or null for no filter
   */
  StatusHttpServer(StatusView view, TrackingPage page, Map<String, String> proxyFilterParams) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(8, 2);
    threads.setName("am-http");
    threads.setDaemon(true);
    server = new Server(threads);
    connector = new ServerConnector(server, 1, 1);
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.setContextPath("/");
    if (proxyFilterParams != null) {
      FilterHolder filter = new FilterHolder();
      filter.setName("AM_PROXY_FILTER");
      filter.setClassName(ProxyFilter.FILTER_CLASS);
      filter.setInitParameters(proxyFilterParams);
      context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    context.addServlet(new ServletHolder("yarnps", new Api(view, page)), "/*");
    server.setHandler(context);
    server.setStopAtShutdown(false);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
  }

  int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the tracking page's server: {}", e.toString());
    }
  }

  /** Routes a request to the page or a JSON document of {@link StatusView}. */
  private static final class Api extends HttpServlet {
    private final transient StatusView view;
    private final transient TrackingPage page;

    Api(StatusView view, TrackingPage page) {
      this.view = view;
      this.page = page;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
      try {
        switch (path) {
          case "/", "/index.html" -> send(resp, 200, "text/html; charset=utf-8",
              page.render(view.info(), view.outcome()));
          case "/api/v1/status", "/api/status" -> json(resp, view.status());
          case "/api/v1/servers" -> json(resp, view.servers());
          case "/api/v1/workers" -> json(resp, view.workers());
          case "/api/v1/metrics" -> json(resp, view.metrics(since(req, "series_since"), since(req, "throughput_since")));
          case "/api/v1/checkpoints" -> json(resp, view.checkpoints());
          case "/api/v1/recoveries" -> json(resp, view.recoveries());
          case "/api/v1/events" -> json(resp, view.events(since(req, "since")));
          default -> send(resp, 404, "application/json", "{\"error\":\"no such page: " + jsonEsc(path) + "\"}");
        }
      } catch (IllegalArgumentException e) {
        send(resp, 400, "application/json", "{\"error\":\"" + jsonEsc(e.getMessage()) + "\"}");
      }
    }

    private static long since(HttpServletRequest req, String name) {
      String v = req.getParameter(name);
      if (v == null || v.isEmpty()) {
        return 0;
      }
      try {
        return Math.max(0, Long.parseLong(v));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + "=" + v + " is not a sequence number");
      }
    }

    private static void json(HttpServletResponse resp, String body) throws IOException {
      send(resp, 200, "application/json", body);
    }

    private static void send(HttpServletResponse resp, int code, String type, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      resp.setStatus(code);
      resp.setContentType(type);
      resp.setHeader("Cache-Control", "no-store");
      resp.setHeader("X-Content-Type-Options", "nosniff");
      resp.setContentLength(bytes.length);
      resp.getOutputStream().write(bytes);
    }

    private static String jsonEsc(String s) {
      return s.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\x00-\\x1f]", " ");
    }
  }
}
