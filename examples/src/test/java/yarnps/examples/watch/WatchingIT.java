package yarnps.examples.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.util.ToolRunner;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import yarnps.client.EmbeddedCluster;
import yarnps.client.YarnPsClient;
import yarnps.examples.demo.LrJobConf;
import yarnps.examples.gen.ClickLogGenerator;

/**
 * Watching a running job on MiniDFSCluster + MiniYARNCluster, the way users do: the YARN report
 * (type, name, queue, priority, tags, moving progress), the tracking page and its JSON through the
 * ResourceManager's web proxy, the containers' logs in the NodeManager's log directory and behind
 * the page's log links, the page rendered by headless Chromium with live values, and the client's
 * progress line, {@code status}, {@code list} and {@code kill}.
 *
 * <p>One LR job with many epochs is started before the tests and killed by the sixth, so every
 * test before sees it running; the tests run in order. The last runs a short job to its end.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WatchingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JOB_NAME = "watch-it";

  private static EmbeddedCluster cluster;
  private static Configuration conf;
  private static File base;
  private static org.apache.hadoop.fs.Path train;
  private static org.apache.hadoop.fs.Path test;
  private static YarnClient yarn;
  private static ApplicationId appId;
  private static String proxy;
  private static CompletableFuture<Integer> waitingClient;
  private static final ByteArrayOutputStream waitingOutput = new ByteArrayOutputStream();
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void startARunningJob() throws Exception {
    File target = new File(System.getProperty("yarnps.it.dir", "target")).getAbsoluteFile();
    base = Files.createTempDirectory(target.toPath(), "watch-it-").toFile();
    cluster = EmbeddedCluster.start(new File(base, "cluster"), 4096, 8);
    conf = cluster.conf();
    FileSystem fs = FileSystem.get(conf);
    ClickLogGenerator.Options g = new ClickLogGenerator.Options();
    g.out = new File(base, "data");
    g.trainRows = 20_000;
    g.testRows = 4_000;
    g.files = 2;
    g.seed = 11;
    g.vocab = 1000;
    ClickLogGenerator.generate(g);
    train = fs.makeQualified(new org.apache.hadoop.fs.Path("/data/train"));
    test = fs.makeQualified(new org.apache.hadoop.fs.Path("/data/test"));
    fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(new File(g.out, "train").getAbsolutePath()), train);
    fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(new File(g.out, "test").getAbsolutePath()), test);

    // Runs until the last test kills it: thousands of short epochs, a test evaluation every 5.
    Configuration job = LrJobConf.of(conf, System.getProperty("yarnps.it.frameworkJar"),
        System.getProperty("yarnps.it.jobJar"), train.toString(), test.toString(),
        fs.makeQualified(new org.apache.hadoop.fs.Path("/out/watch")).toString(), 2, 2, 5_000);
    job.set("yarnps.app.name", JOB_NAME);
    job.setInt("yarnps.app.priority", 3);
    job.set("yarnps.app.tags", "watch,IT");
    job.setInt("lr.test.every.epochs", 5);
    YarnPsClient client = new YarnPsClient(new PrintStream(waitingOutput, true, StandardCharsets.UTF_8), System.err);
    waitingClient = CompletableFuture.supplyAsync(() -> {
      try {
        return ToolRunner.run(job, client, new String[] {"submit"});
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    yarn = YarnClient.createYarnClient();
    yarn.init(conf);
    yarn.start();
    waitFor(() -> client.lastSubmitted() != null || waitingClient.isDone(), 120, "the job to be submitted");
    appId = client.lastSubmitted();
    if (appId == null) {
      throw new AssertionError("submit ended without submitting: rc " + waitingClient.get() + "\n" + waitingOutput);
    }
    proxy = cluster.proxyUrl(appId.toString());
    waitFor(() -> {
      JsonNode w = tryJson("api/v1/workers");
      return w != null && w.get("workers").get(0).get("clock").asLong() > 0
          && w.get("workers").get(1).get("clock").asLong() > 0;
    }, 180, "both workers to train (through " + proxy + ")");
  }

  @AfterAll
  static void stop() throws Exception {
    if (yarn != null) {
      yarn.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void yarnShowsTypeNameQueuePriorityTagsAndMovingProgress() throws Exception {
    ApplicationReport r = yarn.getApplicationReport(appId);
    assertEquals("YARNPS", r.getApplicationType());
    assertEquals(JOB_NAME, r.getName());
    assertTrue(r.getQueue().endsWith("default"), r.getQueue());
    assertEquals(3, r.getPriority().getPriority());
    assertTrue(r.getApplicationTags().containsAll(List.of("yarnps", "watch", "it")), r.getApplicationTags().toString());
    assertEquals("/proxy/" + appId + "/", URI.create(r.getTrackingUrl()).getPath(), "tracking URL goes through the proxy");
    float first = r.getProgress();
    waitFor(() -> yarn.getApplicationReport(appId).getProgress() > first, 60,
        "the RM's progress to move (the AM reports it on every allocate heartbeat)");
  }

  @Test
  @Order(2)
  void pageAndJsonThroughTheRmProxy() throws Exception {
    HttpResponse<String> page = get(proxy);
    assertEquals(200, page.statusCode(), page.body());
    String html = page.body();
    for (String fact : List.of(appId.toString(), JOB_NAME, "eventual (ASP)", "root.default", "id=\"loss-chart\"",
        "id=\"tput-chart\"", "id=\"servers\"", "id=\"workers\"", "id=\"events\"")) {
      assertTrue(html.contains(fact), "page lacks " + fact);
    }
    Matcher refs = Pattern.compile("(?:src|href)\\s*=\\s*\"([^\"]*)\"").matcher(html);
    while (refs.find()) {
      assertFalse(refs.group(1).startsWith("/") || refs.group(1).contains("//"), "not relative: " + refs.group(1));
    }
    assertFalse(html.contains("<script src") || html.contains("<link"), "self-contained");

    JsonNode status = json("api/v1/status");
    assertEquals(appId.toString(), status.get("application").asText());
    assertEquals("RUNNING", status.get("state").asText());
    assertEquals(JOB_NAME, status.get("name").asText());
    assertEquals(System.getProperty("user.name"), status.get("user").asText());
    assertEquals(yarn.getApplicationReport(appId).getQueue(), status.get("queue").asText(), "where the RM placed the job");
    assertEquals("eventual (ASP)", status.get("consistency").asText());
    double progress = status.get("progress").asDouble();
    assertTrue(progress > 0 && progress < 1, "progress " + progress);
    assertEquals(2, status.get("servers").get("registered").asInt());
    assertEquals(2, status.get("workers").get("registered").asInt());
    assertEquals(1, status.get("layout_version").asLong());
    assertEquals("train_logloss", status.get("loss").get("metric").asText());
    assertTrue(status.get("am").get("logs").asText().contains("/node/containerlogs/" + status.get("am").get("container").asText()));

    waitFor(() -> {
      JsonNode s = json("api/v1/servers").get("servers");
      return s.get(0).get("pushes_per_sec").asDouble() > 0 && s.get(1).get("pulls_per_sec").asDouble() > 0;
    }, 60, "push and pull rates from the servers' heartbeat counters");
    JsonNode servers = json("api/v1/servers").get("servers");
    assertEquals(2, servers.size());
    double share = 0;
    for (JsonNode s : servers) {
      assertEquals("REGISTERED", s.get("state").asText());
      assertTrue(s.get("key_ranges").asInt() > 0);
      share += s.get("key_share").asDouble();
      assertTrue(s.get("keys").asDouble() > 0, "keys stored: " + s);
      assertTrue(s.get("memory_bytes").asDouble() > 0, "memory: " + s);
      assertTrue(s.get("last_checkpoint").isNull());
      assertTrue(s.get("logs").asText().endsWith("/node/containerlogs/" + s.get("container").asText() + "/"
          + System.getProperty("user.name")), s.get("logs").asText());
    }
    assertEquals(1.0, share, 1e-9);

    waitFor(() -> json("api/v1/workers").get("workers").get(1).get("examples_per_sec").asDouble() > 0, 60,
        "the workers' examples/s");
    JsonNode workers = json("api/v1/workers").get("workers");
    for (JsonNode w : workers) {
      assertTrue(w.get("clock").asLong() > 0 && w.get("examples").asDouble() > 0, w.toString());
      double loss = w.get("last_loss").asDouble();
      assertTrue(loss > 0 && loss < 1.5, "last loss " + loss);
    }

    waitFor(() -> {
      JsonNode series = json("api/v1/metrics").get("series");
      boolean test = false;
      for (JsonNode p : series) {
        test |= p.get("values").has("test_auc");
      }
      return test && series.size() >= 4;
    }, 90, "training loss points from both workers and a test metric");
    JsonNode metrics = json("api/v1/metrics");
    long next = metrics.get("series_next").asLong();
    assertTrue(next >= metrics.get("series").size());
    assertTrue(json("api/v1/metrics?series_since=" + next + "&throughput_since=" + metrics.get("throughput_next").asLong())
        .get("series").size() < metrics.get("series").size(), "incremental reads return only what is new");
    boolean pushing = false;
    for (JsonNode t : metrics.get("throughput")) {
      pushing |= t.get("pushes_per_sec").asDouble() > 0;
    }
    assertTrue(pushing, "throughput samples: " + metrics.get("throughput"));

    assertEquals(0, json("api/v1/checkpoints").get("checkpoints").size());
    // Samples of every document, for the docs and for looking at.
    Path samples = Files.createDirectories(Path.of(System.getProperty("yarnps.it.dir", "target"), "api-samples"));
    for (String doc : List.of("status", "servers", "workers", "metrics", "checkpoints", "events")) {
      Files.writeString(samples.resolve(doc + ".json"),
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json("api/v1/" + doc)));
    }
    String events = json("api/v1/events").toString();
    assertTrue(events.contains("server 0 registered") && events.contains("layout version 1 built")
        && events.contains("worker 1 registered"), events);
    assertEquals(appId.toString(), json("api/status").get("application").asText(), "the old path still answers");

    // Directly at the AM's own address too (the proxy filter lets this host through: it is the RM's).
    HttpResponse<String> direct = get(yarn.getApplicationReport(appId).getOriginalTrackingUrl() + "api/v1/status");
    assertEquals(200, direct.statusCode());
    assertTrue(direct.body().contains(appId.toString()));
  }

  @Test
  @Order(3)
  void everyContainerLogsToItsYarnLogDirAndThePageLinksThere() throws Exception {
    File appLogs = new File(cluster.containerLogs(), appId.toString());
    JsonNode status = json("api/v1/status");
    List<String[]> expected = new ArrayList<>();
    expected.add(new String[] {status.get("am").get("container").asText(), "tracking page honours the RM web proxy"});
    for (JsonNode s : json("api/v1/servers").get("servers")) {
      expected.add(new String[] {s.get("container").asText(), "serving on"});
    }
    for (JsonNode w : json("api/v1/workers").get("workers")) {
      expected.add(new String[] {w.get("container").asText(), "connected to 2 servers"});
    }
    for (String[] e : expected) {
      Path stderr = new File(new File(appLogs, e[0]), "stderr").toPath();
      assertTrue(Files.isRegularFile(stderr), "no log " + stderr);
      String log = Files.readString(stderr);
      assertTrue(log.contains(e[1]), stderr + " lacks '" + e[1] + "':\n" + log);
    }
    // The link on the page opens that container's logs on its NodeManager.
    String link = json("api/v1/workers").get("workers").get(0).get("logs").asText();
    HttpResponse<String> logs = http.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, logs.statusCode(), link);
    assertTrue(logs.body().contains("stderr"), "the NodeManager's page lists the container's log files");
  }

  @Test
  @Order(4)
  void aBrowserRendersTheChartsAndTablesWithLiveValues() throws Exception {
    Optional<Path> chromium = HeadlessChromium.find();
    Assumptions.assumeTrue(chromium.isPresent(),
        "chromium is not installed (apt-get install chromium, or set YARNPS_CHROMIUM): the browser test is skipped");
    Path dir = Files.createDirectories(base.toPath().resolve("chromium"));
    try (HeadlessChromium browser = HeadlessChromium.start(chromium.get(), dir, 1400, 1000)) {
      browser.navigate(proxy);
      Duration t = Duration.ofSeconds(60);
      browser.waitFor("document.querySelectorAll('#servers tbody tr').length === 2", t, "two server rows");
      browser.waitFor("document.querySelectorAll('#workers tbody tr').length === 2", t, "two worker rows");
      browser.waitFor("[...document.querySelectorAll('#servers td[data-k=keys]')].every(td => +td.dataset.v > 0)", t,
          "keys stored on both servers");
      browser.waitFor("[...document.querySelectorAll('#loss-chart polyline')].some(p => +p.dataset.n >= 2)", t,
          "a loss line in the chart");
      browser.waitFor("[...document.querySelectorAll('#tput-chart polyline')].some(p => +p.dataset.n >= 2)", t,
          "throughput lines in the chart");
      browser.waitFor("document.querySelector('#loss-chart polyline[stroke-dasharray]') !== null", Duration.ofSeconds(90),
          "the test metric drawn dashed");
      assertEquals("RUNNING", browser.evaluate("document.getElementById('state').textContent").asText());
      assertEquals(appId.toString(), browser.evaluate("document.getElementById('f-app').textContent").asText());
      assertTrue(browser.evaluate("document.getElementById('f-loss').textContent").asText().contains("train_logloss"));
      assertTrue(browser.evaluate("+document.querySelector('#workers td[data-k=last_loss]').dataset.v").asDouble() > 0);
      assertTrue(browser.evaluate("document.querySelectorAll('#events li').length").asInt() >= 6, "events listed");
      assertTrue(browser.evaluate("document.querySelector('#workers a').href").asText().contains("/node/containerlogs/"));

      // Live: the page updates itself; no reload.
      long clock = browser.evaluate("+document.querySelector('#workers td[data-k=clock]').dataset.v").asLong();
      long updates = browser.evaluate("+document.body.dataset.updates").asLong();
      browser.waitFor("+document.querySelector('#workers td[data-k=clock]').dataset.v > " + clock, t,
          "worker 0's clock to advance on the page");
      assertTrue(browser.evaluate("+document.body.dataset.updates").asLong() > updates);

      Path shots = Path.of(System.getProperty("yarnps.it.dir", "target"), "screenshots");
      Path shot = shots.resolve("tracking-page.png");
      browser.screenshot(shot);
      assertTrue(Files.size(shot) > 20_000, "screenshot " + shot + " is " + Files.size(shot) + " bytes");
      System.out.println("IT: tracking page screenshot " + shot.toAbsolutePath());

      browser.evaluate("document.querySelector('#x-toggle button[data-x=time]').click()");
      browser.waitFor("document.querySelector('#loss-chart .axis').textContent.includes('seconds')", t,
          "the loss chart against time");
      browser.screenshot(shots.resolve("tracking-page-vs-time.png"));
      assertEquals(List.of(), browser.pageErrors(), "the page's script threw");
    }
  }

  @Test
  @Order(5)
  void statusPrintsJsonAndListShowsTheJob() throws Exception {
    Run status = client("status", appId.toString());
    assertEquals(YarnPsClient.EXIT_OK, status.rc(), status.output());
    JsonNode s = JSON.readTree(status.output());
    assertEquals("RUNNING", s.get("yarn_state").asText());
    assertEquals("YARNPS", s.get("type").asText());
    assertEquals(3, s.get("priority").asInt());
    assertTrue(s.get("tracking_url").asText().startsWith(cluster.rmWebUrl() + "/proxy/"), s.get("tracking_url").asText());
    assertTrue(s.get("job").get("clock").get("max").asLong() > 0, "the AM's live status: " + s);

    Run list = client("list");
    assertEquals(YarnPsClient.EXIT_OK, list.rc(), list.output());
    assertTrue(list.output().lines().anyMatch(l -> l.startsWith(appId + " ") && l.contains("RUNNING") && l.contains(JOB_NAME)),
        list.output());
    Run unknown = client("status", "application_1_9999");
    assertEquals(YarnPsClient.EXIT_NOT_FOUND, unknown.rc(), unknown.output());
  }

  @Test
  @Order(6)
  void killEndsTheJobAndTheWaitingClientSaysHowItEnded() throws Exception {
    // Plain output prints a line per whole percent or every 30 s: wait for one that has the AM's clock and loss.
    Pattern progressLine = Pattern.compile("(?m)^" + appId
        + " RUNNING \\[#*-*\\] +\\d+\\.\\d% +clock \\d+ +loss \\d\\.\\d{4} +\\d+:\\d\\d:\\d\\d$");
    waitFor(() -> progressLine.matcher(waitingOutput.toString(StandardCharsets.UTF_8)).find(), 90,
        "a progress line with clock and loss from the waiting client");
    Run kill = client("kill", appId.toString());
    assertEquals(YarnPsClient.EXIT_OK, kill.rc(), kill.output());
    int rc = waitingClient.get(120, TimeUnit.SECONDS);
    String out = waitingOutput.toString(StandardCharsets.UTF_8);
    assertEquals(YarnPsClient.EXIT_JOB_FAILED, rc, out);
    assertTrue(out.contains("tracking page: " + proxy), out);
    assertTrue(out.contains(appId + " ended: KILLED / KILLED"), out);

    Run after = client("status", appId.toString());
    JsonNode s = JSON.readTree(after.output());
    assertEquals("KILLED", s.get("yarn_state").asText());
    assertFalse(s.has("job"), "an ended job's summary comes from the report alone");
    Run again = client("kill", appId.toString());
    assertEquals(YarnPsClient.EXIT_OK, again.rc());
    assertTrue(again.output().contains("already ended: KILLED"), again.output());
  }

  @Test
  @Order(7)
  void aFinishedJobsTrackingLinkLeadsToTheRmsPageOfIt() throws Exception {
    Configuration job = LrJobConf.of(conf, System.getProperty("yarnps.it.frameworkJar"),
        System.getProperty("yarnps.it.jobJar"), train.toString(), test.toString(),
        FileSystem.get(conf).makeQualified(new org.apache.hadoop.fs.Path("/out/watch-short")).toString(), 1, 1, 1);
    job.set("yarnps.app.name", JOB_NAME + "-short");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    YarnPsClient submitter = new YarnPsClient(new PrintStream(bytes, true, StandardCharsets.UTF_8), System.err);
    int rc = ToolRunner.run(job, submitter, new String[] {"submit"});
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(YarnPsClient.EXIT_OK, rc, out);
    ApplicationId id = submitter.lastSubmitted();
    assertTrue(out.contains(id + " ended: FINISHED / SUCCEEDED"), out);

    // The AM unregistered without a final tracking URL: its page is gone, so the proxy sends the
    // tracking link to the RM's page of the application instead of to a dead address.
    HttpResponse<String> link = get(cluster.proxyUrl(id.toString()));
    assertEquals(302, link.statusCode(), link.body());
    String location = link.headers().firstValue("Location").orElse("");
    assertTrue(location.endsWith("/cluster/app/" + id), location);

    JsonNode s = JSON.readTree(client("status", id.toString()).output());
    assertEquals("FINISHED", s.get("yarn_state").asText());
    assertEquals("SUCCEEDED", s.get("final_status").asText());
    assertEquals(1.0, s.get("progress").asDouble());
    assertEquals("yarn-ps job succeeded", s.get("diagnostics").asText());
  }

  private record Run(int rc, String output) {}

  private static Run client(String... args) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int rc = ToolRunner.run(new Configuration(conf), new YarnPsClient(out, out), args);
    return new Run(rc, bytes.toString(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A JSON document of the AM's API through the RM proxy; null while it does not answer with JSON. */
  private static JsonNode tryJson(String path) throws Exception {
    HttpResponse<String> r = get(proxy + path);
    if (r.statusCode() != 200 || !r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
      return null;
    }
    return JSON.readTree(r.body());
  }

  private static JsonNode json(String path) throws Exception {
    JsonNode j = tryJson(path);
    if (j == null) {
      HttpResponse<String> r = get(proxy + path);
      throw new AssertionError(proxy + path + " answered HTTP " + r.statusCode() + ": " + r.body());
    }
    return j;
  }

  /** Polls a condition every 250 ms until it holds or the deadline passes. */
  private static void waitFor(Check check, int seconds, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
      }
      Thread.sleep(250);
    }
  }

  private interface Check {
    boolean ok() throws Exception;
  }
}
