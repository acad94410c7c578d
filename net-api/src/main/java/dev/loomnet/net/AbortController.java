package dev.loomnet.net;

/**
 * Node's {@code AbortController}: owns one {@link AbortSignal} and aborts it. Thread-safe; aborting twice keeps
 * the first reason.
 *
 * <pre>{@code
 * AbortController controller = new AbortController();
 * Socket socket = Net.connect(ConnectOptions.builder().port(port).signal(controller.signal()).build());
 * controller.abort();                               // socket: ERROR (ABORT_ERR), then CLOSE
 * }</pre>
 */
public final class AbortController {

    private final AbortSignal signal = new AbortSignal();

    /** Creates a controller whose signal is not aborted. */
    public AbortController() {
    }

    /**
     * Returns the signal this controller aborts.
     *
     * @return the signal
     */
    public AbortSignal signal() {
        return signal;
    }

    /**
     * Aborts the signal with {@code ABORT_ERR} "This operation was aborted" as its reason, running its listeners
     * on this thread; nothing happens if it is aborted already.
     */
    public void abort() {
        signal.fire(AbortSignal.defaultReason());
    }

    /**
     * Aborts the signal with {@code reason}, running its listeners on this thread; nothing happens if it is
     * aborted already.
     *
     * @param reason why, not {@code null}
     */
    public void abort(Object reason) {
        signal.fire(Args.notNull(reason, "reason"));
    }
}
