package yarnps.rpc.net;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread: serves the readiness events of the {@link FramedConnection}s registered on
 * it and runs tasks handed to it from other threads (registrations, interest changes). A failure
 * in one connection's handling closes that connection only.
 */
public final class SelectorLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SelectorLoop.class);

  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;

  public SelectorLoop(String name) throws IOException {
    this.selector = Selector.open();
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  Selector selector() {
    return selector;
  }

  /** Whether the caller is this loop's thread. */
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Runs task on the loop thread: now if called from it, else soon. */
  public void execute(Runnable task) {
    if (inLoop()) {
      task.run();
    } else {
      tasks.add(task);
      selector.wakeup();
    }
  }

  private void run() {
    while (running) {
      try {
        selector.select();
        Runnable t;
        while ((t = tasks.poll()) != null) {
          t.run();
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          FramedConnection c = (FramedConnection) key.attachment();
          try {
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_WRITE) != 0) {
              c.onWritable();
            }
            if ((ready & SelectionKey.OP_READ) != 0 && key.isValid()) {
              c.onReadable();
            }
          } catch (CancelledKeyException e) {
            c.close(null);
          } catch (IOException | RuntimeException e) {
            c.close(e);
          }
        }
      } catch (IOException | RuntimeException e) {
        if (running) {
          LOG.error("selector loop {} failed; continuing", thread.getName(), e);
        }
      }
    }
    for (SelectionKey key : selector.keys()) {
      if (key.attachment() instanceof FramedConnection c) {
        c.close(null);
      }
    }
    try {
      selector.close();
    } catch (IOException e) {
      LOG.debug("closing selector of {}", thread.getName(), e);
    }
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    if (!inLoop()) {
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
