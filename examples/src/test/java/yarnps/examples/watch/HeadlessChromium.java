package yarnps.examples.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium driven over the Chrome DevTools Protocol with the JDK's own HTTP and
 * WebSocket client: no driver binary and no Selenium, only the browser. It loads a page, evaluates
 * JavaScript in it (so a test reads what the page's script rendered) and takes screenshots.
 *
 * <pre>{@code
 * try (HeadlessChromium b = HeadlessChromium.start(exe, dir, 1400, 1000)) {
 *   b.navigate("http://host/page");
 *   long rows = b.waitFor("document.querySelectorAll('tr').length > 2", Duration.ofSeconds(30), "rows").asLong();
 *   b.screenshot(Path.of("target/page.png"));
 * }
 * }</pre>
 */
final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<String> pageErrors = new ArrayList<>();

  private HeadlessChromium(Process process, WebSocket socket) {
    this.process = process;
    this.socket = socket;
  }

  /**
   * The browser to use: {@code $YARNPS_CHROMIUM} if set, else the first of chromium,
   * chromium-browser, google-chrome, google-chrome-stable on the PATH.
   */
  static Optional<Path> find() {
    String configured = System.getenv("YARNPS_CHROMIUM");
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir, name);
        if (!dir.isEmpty() && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** Starts the browser with its profile and log under {@code dir}, a window of the given size. */
  static HeadlessChromium start(Path exe, Path dir, int width, int height) throws IOException, InterruptedException {
    Path profile = Files.createDirectories(dir.resolve("profile"));
    List<String> cmd = List.of(exe.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--disable-background-networking", "--hide-scrollbars", "--remote-debugging-port=0",
        "--remote-allow-origins=*", "--user-data-dir=" + profile, "--window-size=" + width + "," + height,
        "about:blank");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile())
        .start();
    try {
      Path portFile = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new IOException("chromium did not start its DevTools endpoint; see " + dir.resolve("chromium.log"));
        }
        Thread.sleep(100);
      }
      int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
      HttpClient http = HttpClient.newHttpClient();
      JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
          .build(), HttpResponse.BodyHandlers.ofString()).body());
      String ws = null;
      for (JsonNode t : targets) {
        if (t.path("type").asText().equals("page")) {
          ws = t.path("webSocketDebuggerUrl").asText();
          break;
        }
      }
      if (ws == null) {
        throw new IOException("chromium has no page target: " + targets);
      }
      HeadlessChromium[] self = new HeadlessChromium[1];
      WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(ws), new WebSocket.Listener() {
        private final StringBuilder frame = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
          frame.append(data);
          if (last) {
            String text = frame.toString();
            frame.setLength(0);
            if (self[0] != null) {
              self[0].received(text);
            }
          }
          webSocket.request(1);
          return null;
        }
      }).get(30, TimeUnit.SECONDS);
      self[0] = new HeadlessChromium(p, socket);
      self[0].call("Page.enable", JSON.createObjectNode());
      self[0].call("Runtime.enable", JSON.createObjectNode());
      return self[0];
    } catch (IOException | InterruptedException | RuntimeException e) {
      p.destroyForcibly();
      throw e;
    } catch (ExecutionException | TimeoutException e) {
      p.destroyForcibly();
      throw new IOException("cannot connect to chromium's DevTools endpoint", e);
    }
  }

  private void received(String text) {
    JsonNode msg;
    try {
      msg = JSON.readTree(text);
    } catch (IOException e) {
      return;
    }
    if (msg.has("id")) {
      CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
      if (f != null) {
        f.complete(msg);
      }
    } else if (msg.path("method").asText().equals("Runtime.exceptionThrown")) {
      synchronized (pageErrors) {
        pageErrors.add(msg.path("params").path("exceptionDetails").toString());
      }
    }
  }

  /** Sends a DevTools command and returns its result; a protocol error becomes an IOException. */
  JsonNode call(String method, ObjectNode params) throws IOException, InterruptedException {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
    msg.set("params", params);
    socket.sendText(JSON.writeValueAsString(msg), true).join();
    JsonNode r;
    try {
      r = reply.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(method + " got no answer", e);
    } finally {
      pending.remove(id);
    }
    if (r.has("error")) {
      throw new IOException(method + ": " + r.get("error"));
    }
    return r.path("result");
  }

  /** Loads a page and waits for its load event. */
  void navigate(String url) throws IOException, InterruptedException {
    JsonNode r = call("Page.navigate", JSON.createObjectNode().put("url", url));
    if (r.hasNonNull("errorText")) {
      throw new IOException("cannot load " + url + ": " + r.get("errorText").asText());
    }
    waitFor("document.readyState === 'complete'", Duration.ofSeconds(60), "the page to load");
  }

  /** Evaluates a JavaScript expression in the page and returns its value (JSON). */
  JsonNode evaluate(String expression) throws IOException, InterruptedException {
    JsonNode r = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
        .put("returnByValue", true).put("awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new IOException("the page threw evaluating " + expression + ": " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /**
   * Evaluates {@code expression} every 250 ms until its value is truthy (not false, 0, null, ""
   * or undefined) and returns that value; fails naming {@code what} after {@code timeout}.
   */
  JsonNode waitFor(String expression, Duration timeout, String what) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode v = evaluate(expression);
    while (!truthy(v)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
            + " (" + expression + " is " + v + "); page errors: " + pageErrors());
      }
      Thread.sleep(250);
      v = evaluate(expression);
    }
    return v;
  }

  private static boolean truthy(JsonNode v) {
    if (v == null || v.isMissingNode() || v.isNull()) {
      return false;
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isNumber()) {
      return v.asDouble() != 0;
    }
    if (v.isTextual()) {
      return !v.asText().isEmpty();
    }
    return true;
  }

  /** Exceptions the page's scripts threw so far. */
  List<String> pageErrors() {
    synchronized (pageErrors) {
      return new ArrayList<>(pageErrors);
    }
  }

  /** Saves a PNG of the whole page (not only the window) to {@code png}. */
  void screenshot(Path png) throws IOException, InterruptedException {
    JsonNode size = call("Page.getLayoutMetrics", JSON.createObjectNode()).path("cssContentSize");
    ObjectNode clip = JSON.createObjectNode().put("x", 0).put("y", 0).put("width", size.path("width").asDouble())
        .put("height", size.path("height").asDouble()).put("scale", 1);
    ObjectNode params = JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
    params.set("clip", clip);
    JsonNode r = call("Page.captureScreenshot", params);
    Files.createDirectories(png.toAbsolutePath().getParent());
    Files.write(png, Base64.getDecoder().decode(r.path("data").asText()));
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      // The browser is killed below either way.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    // Renderer and helper processes normally exit with the browser; make sure none is left.
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
