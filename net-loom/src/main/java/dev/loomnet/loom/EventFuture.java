package dev.loomnet.loom;

import dev.loomnet.net.AttemptListener;
import dev.loomnet.net.CloseListener;
import dev.loomnet.net.ConnectionListener;
import dev.loomnet.net.DataListener;
import dev.loomnet.net.DropInfo;
import dev.loomnet.net.ErrorListener;
import dev.loomnet.net.Event;
import dev.loomnet.net.Listener;
import dev.loomnet.net.LookupListener;
import dev.loomnet.net.Server;
import dev.loomnet.net.Socket;
import dev.loomnet.net.TextListener;
import java.util.IdentityHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The future of {@link dev.loomnet.net.EventEmitter#when}: a {@link CompletableFuture} whose timed {@code get}
 * cancels it when the time runs out, so that a caller who gave up leaves no listener on the emitter (the
 * emitter removes its listeners when the future completes in any way). Stages derived from it are plain
 * {@code CompletableFuture}s.
 */
final class EventFuture<P extends @Nullable Object> extends CompletableFuture<P> {

    /** How each event's listener completes a future with the event's value. */
    private static final IdentityHashMap<Event<?, ?>, Function<CompletableFuture<Object>, Object>> LISTENERS =
            new IdentityHashMap<>();

    static {
        for (Event<?, Listener> e : java.util.List.of(Socket.CONNECT, Socket.READY, Socket.END, Socket.DRAIN,
                Socket.FINISH, Socket.TIMEOUT, Server.LISTENING, Server.CLOSE)) {
            LISTENERS.put(e, f -> (Listener) () -> f.complete(null));
        }
        for (Event<?, AttemptListener> e : java.util.List.of(Socket.CONNECTION_ATTEMPT,
                Socket.CONNECTION_ATTEMPT_FAILED, Socket.CONNECTION_ATTEMPT_TIMEOUT)) {
            LISTENERS.put(e, f -> (AttemptListener) (ip, port, family, error) ->
                    f.complete(new AttemptListener.Attempt(ip, port, family, error)));
        }
        LISTENERS.put(Socket.LOOKUP, f -> (LookupListener) (error, address, family, host) ->
                f.complete(new LookupListener.Result(error, address, family, host)));
        LISTENERS.put(Socket.DATA, f -> (DataListener) f::complete);
        LISTENERS.put(Socket.TEXT, f -> (TextListener) f::complete);
        LISTENERS.put(Socket.CLOSE, f -> (CloseListener) f::complete);
        LISTENERS.put(Socket.ERROR, f -> (ErrorListener) f::complete);
        LISTENERS.put(Server.ERROR, f -> (ErrorListener) f::complete);
        LISTENERS.put(Server.CONNECTION, f -> (ConnectionListener) f::complete);
        LISTENERS.put(Server.DROP, f -> (DropInfo.Listener) f::complete);
    }

    /** A listener of {@code event} that completes this future with the emission's value. */
    @SuppressWarnings("unchecked")
    <L> L listener(Event<?, L> event) {
        Function<CompletableFuture<Object>, Object> factory = LISTENERS.get(event);
        if (factory == null) {
            throw new IllegalArgumentException("Unknown event " + event);   // every key is declared above
        }
        return (L) factory.apply((CompletableFuture<Object>) this);
    }

    /** Cancels the future when the time runs out (unless it completed meanwhile), then throws as usual. */
    @Override
    public P get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return super.get(timeout, unit);
        } catch (TimeoutException e) {
            if (cancel(false)) {
                throw e;
            }
            return super.get();                         // completed just now: its outcome stands
        }
    }
}
