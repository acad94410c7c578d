package dev.loomnet.loom;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * One emitter's serial event delivery: Node's event loop, cut down to one socket or server.
 *
 * <p>Tasks run one at a time in the order they were posted, never concurrently; the atomic hand-over between
 * runners gives each task a happens-before edge to the next. Whoever finds the queue idle runs it: the
 * connection's own thread does so inline ({@link #runAndWait}), so reading and emitting {@code data} costs no
 * thread switch; a post from any other thread starts a short-lived virtual thread that runs it and ends.
 *
 * <p>A queue created while another queue's task runs on the current thread is <em>held</em> until that task
 * returns, so an emitter created inside a listener emits nothing before the listener is done attaching its
 * own listeners (Node's "next tick").
 *
 * <p>Every socket has one, so it is kept small for idle connections: the task queue is created by the first
 * post (a socket whose events all run inline on its connection thread never has one), the counter is a field
 * updated through a {@link VarHandle}, the runner name is built only when a runner starts, and the owner is
 * called through {@link Owner} rather than through lambdas.
 */
final class EventQueue {

    /** What the queue needs from the emitter it serves. */
    interface Owner {
        /** Receives what a task threw (a socket destroys itself with it). */
        void taskFailed(Throwable error);

        /**
         * A thread of the owner that is idle and willing to run the queue (the connection thread while paused)
         * takes the duty to call {@link #runHandedOver()} and returns true. Asking it first saves starting a virtual
         * thread per event while the socket is paused, e.g. each {@code drain} of a pipe.
         */
        default boolean takeRun() {
            return false;
        }
    }

    private static final VarHandle TASKS;
    private static final VarHandle WIP;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TASKS = lookup.findVarHandle(EventQueue.class, "tasks", ConcurrentLinkedQueue.class);
            WIP = lookup.findVarHandle(EventQueue.class, "wip", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The queue whose task is running on this thread, if any, for every thread but the connection threads
     * (runners, writers, the application's threads).
     */
    private static final ThreadLocal<@Nullable EventQueue> CURRENT = new ThreadLocal<>();
    /**
     * The queue each live connection thread adopted. A map, not {@link #CURRENT}: a thread's first
     * {@code ThreadLocal} value creates its own {@code ThreadLocalMap} (136 bytes with its table and entry),
     * which every idle connection would keep; an entry here costs about 40.
     */
    private static final ConcurrentHashMap<Thread, EventQueue> ADOPTED = new ConcurrentHashMap<>();

    /** Tasks posted and not yet run; created by the first post ({@link #tasks()}). */
    private volatile @Nullable ConcurrentLinkedQueue<Task> tasks;
    /** Posts not yet accounted for by a runner; non-zero means a runner is running, scheduled or held. */
    private volatile int wip;
    /** Runner threads are named {@code loomnet-<kind><id>}. */
    private final String kind;
    private final long id;
    private final Owner owner;

    /** Queues held by the task running now on this queue's runner; touched only by that runner. */
    private @Nullable List<EventQueue> held;
    /**
     * The connection thread that adopted this queue, or null. Only that thread compares itself with it, so a
     * plain field is enough (any other thread sees null or a thread that is not itself).
     */
    private @Nullable Thread adopted;
    /**
     * On the adopted thread only: whether {@link #current()} answers {@link #override} instead of this queue
     * (a foreign queue's task runs inline there, or user code runs outside listeners). Only that thread touches
     * these two fields.
     */
    private boolean overriding;
    private @Nullable EventQueue override;
    /** Created inside a listener that has not returned yet; set before publication, cleared by release(). */
    private volatile boolean heldByCreator;

    /**
     * @param kind  runner threads are named {@code loomnet-<kind><id>}
     * @param id    the owner's number
     * @param owner receives what tasks throw, and may take over runs
     */
    EventQueue(String kind, long id, Owner owner) {
        this.kind = kind;
        this.id = id;
        this.owner = owner;
        EventQueue creator = current();
        if (creator != null) {
            wip = 1;                  // a pretend runner: nothing runs until release()
            heldByCreator = true;
            if (creator.held == null) {
                creator.held = new ArrayList<>(2);
            }
            creator.held.add(this);
        }
    }

    /** Runs {@code task} later, after every task posted before it. Never blocks and never runs it inline. */
    void post(Task task) {
        tasks().add(task);
        if ((int) WIP.getAndAdd(this, 1) == 0 && !owner.takeRun()) {
            startRunner();
        }
    }

    private ConcurrentLinkedQueue<Task> tasks() {
        ConcurrentLinkedQueue<Task> q = tasks;
        if (q == null) {
            q = new ConcurrentLinkedQueue<>();
            if (!TASKS.compareAndSet(this, null, q)) {
                q = Objects.requireNonNull(tasks);        // another thread set it first; never reset to null
            }
        }
        return q;
    }

    private void startRunner() {
        Threads.startVirtual(kind, id, this::runOnNewThread);
    }

    /** Called by the thread whose {@link Owner#takeRun()} returned true: it runs the queue now. */
    void runHandedOver() {
        runQueued();
    }

    /**
     * Runs {@code task} after every task posted before it and returns when it has run. If the queue is idle the
     * task runs right here on the calling thread (the common case for the connection's own thread); otherwise
     * the caller waits while the current runner gets to it. Only the connection's own thread calls this.
     */
    void runAndWait(Task task) {
        runAndWait(Task::run, task);
    }

    /**
     * {@link #runAndWait(Task)} for a task that takes its argument instead of capturing it: when the queue is
     * idle (the read loop's case for every chunk) nothing is allocated per event.
     */
    <A> void runAndWait(Task.WithArg<A> task, A arg) {
        if (WIP.compareAndSet(this, 0, 1)) {
            // Idle: run it here without queueing (the hot path of reading and emitting data), then run
            // whatever other threads posted meanwhile.
            // The adopted connection thread's current queue is always this one: skip the lookup per event.
            EventQueue outer = Thread.currentThread() == adopted ? this : current();
            if (outer != this) {
                setCurrent(this);
            }
            try {
                runOne(task, arg);
                int missed = (int) WIP.getAndAdd(this, -1) - 1;
                if (missed != 0) {
                    runLoop(missed);                    // posts that arrived while it ran
                }
            } finally {
                if (outer != this) {
                    setCurrent(outer);
                }
            }
            return;
        }
        Waiter waiter = new Waiter(() -> task.run(arg), Thread.currentThread());
        tasks().add(waiter);
        if ((int) WIP.getAndAdd(this, 1) == 0) {
            runQueued();
        }
        while (!waiter.done) {
            LockSupport.park(this);
        }
    }

    /**
     * Marks the calling thread, a connection's own thread, as this queue's for good: the only code it runs
     * besides reading is this queue's tasks, so anything created on it is created "inside a listener" of this
     * queue, and the per-event bookkeeping can be skipped.
     */
    void adoptCurrentThread() {
        Thread thread = Thread.currentThread();
        adopted = thread;
        ADOPTED.put(thread, this);
    }

    /** Called by the adopted thread when it ends: forgets it, so the map holds live connection threads only. */
    void abandonCurrentThread() {
        ADOPTED.remove(Thread.currentThread(), this);
    }

    /** The queue whose task runs on this thread now (or the queue this connection thread adopted), or null. */
    private static @Nullable EventQueue current() {
        EventQueue base = ADOPTED.get(Thread.currentThread());
        if (base == null) {
            return CURRENT.get();
        }
        return base.overriding ? base.override : base;
    }

    /** Makes {@code queue} this thread's current queue; on a connection thread without touching its ThreadLocals. */
    private static void setCurrent(@Nullable EventQueue queue) {
        EventQueue base = ADOPTED.get(Thread.currentThread());
        if (base == null) {
            CURRENT.set(queue);
        } else {
            base.overriding = queue != base;
            base.override = queue;
        }
    }

    /**
     * Runs user code that is not a listener (a custom {@code Lookup}) on a thread that adopted a queue: for
     * the duration, the thread counts as a plain thread, so emitters it creates are not held by (and do not
     * touch the held list of) a queue whose tasks may be running elsewhere.
     */
    static <T> T outsideListeners(java.util.concurrent.Callable<T> body) throws Exception {
        EventQueue outer = current();
        setCurrent(null);
        try {
            return body.call();
        } finally {
            setCurrent(outer);
        }
    }

    /**
     * Whether the code calling this may still attach listeners before this queue runs anything, as in Node's
     * tick: it runs inside one of this queue's own tasks, or inside the listener that created this queue,
     * which holds it until it returns.
     */
    boolean listenersCannotBeLate() {
        return heldByCreator || runsHere();
    }

    /** Whether the calling thread runs one of this queue's tasks now. */
    boolean runsHere() {
        return current() == this;
    }

    /** Lets a held queue start delivering (its creator's task returned). */
    private void release() {
        heldByCreator = false;
        if (!WIP.compareAndSet(this, 1, 0)) {
            startRunner();
        }
    }

    private void runOnNewThread() {
        runQueued();
    }

    private void runQueued() {
        EventQueue outer = current();
        setCurrent(this);
        try {
            runLoop(1);
        } finally {
            setCurrent(outer);
        }
    }

    /** Runs queued tasks until no post is left unaccounted for; {@code missed} is the caller's ticket count. */
    private void runLoop(int missed) {
        for (;;) {
            ConcurrentLinkedQueue<Task> q = tasks;           // non-null once anything was posted
            Task task;
            while (q != null && (task = q.poll()) != null) {
                runOne(task);
            }
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                return;
            }
        }
    }

    private void runOne(Task task) {
        runOne(Task::run, task);
    }

    private <A> void runOne(Task.WithArg<A> task, A arg) {
        try {
            task.run(arg);
        } catch (Throwable t) {
            owner.taskFailed(t);
        } finally {
            List<EventQueue> created = held;
            if (created != null) {
                held = null;
                for (EventQueue q : created) {
                    q.release();
                }
            }
        }
    }

    /** A task whose submitter parks until it ran. */
    private static final class Waiter implements Task {
        private final Task task;
        private final Thread thread;
        volatile boolean done;

        Waiter(Task task, Thread thread) {
            this.task = task;
            this.thread = thread;
        }

        @Override
        public void run() throws Exception {
            try {
                task.run();
            } finally {
                done = true;
                LockSupport.unpark(thread);
            }
        }
    }
}
